#include "gitopsd/server/source_rate_limiter.hpp"
#include "gitopsd/server/webhook_request.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace gitopsd::server;

TEST_CASE("hook paths name a namespace and a GitRepository", "[webhook]") {
  CHECK(parse_hook_path("/hook/apps/web") == hook_target{"apps", "web"});
  CHECK(parse_hook_path("/hook/a/b-1?x=y") == hook_target{"a", "b-1"});
  CHECK(parse_hook_path("/hook/" + std::string(63, 'a') + "/x") == hook_target{std::string(63, 'a'), "x"});
  for (const std::string& bad : std::vector<std::string>{"", "/", "/hook", "/hook/", "/hook/apps", "/hook/apps/", "/hook//web", "/hook/apps/web/",
                          "/hook/apps/web/x", "/hooks/apps/web", "hook/apps/web", "/hook/Apps/web", "/hook/apps/w.eb",
                          "/hook/apps/-web", "/hook/apps/web-", "/hook/apps/w%65b", "/hook/../web", "/hook/apps/..",
                          "/hook/apps/w eb", "/hook/" + std::string(64, 'a') + "/x", "/HOOK/apps/web"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_hook_path(bad));
  }
}

TEST_CASE("ping events", "[webhook]") {
  CHECK(is_ping({"ping", "", "", ""}));
  CHECK(is_ping({"", "ping", "", ""}));
  CHECK(is_ping({"", "", "ping", ""}));
  CHECK(is_ping({"", "", "", "diagnostics:ping"}));
  CHECK_FALSE(is_ping({"push", "", "", ""}));
  CHECK_FALSE(is_ping({"", "push", "", "repo:refs_changed"}));
  CHECK_FALSE(is_ping({}));
}

TEST_CASE("status before the body is read", "[webhook]") {
  request_head ok{false, true, true, 100, true};
  CHECK_FALSE(screen(ok));
  auto with = [&](auto change) {
    request_head h = ok;
    change(h);
    return screen(h);
  };
  CHECK(with([](request_head& h) { h.rate_limited = true; h.post = false; }) == 429);
  CHECK(with([](request_head& h) { h.post = false; h.path_valid = false; }) == 405);
  CHECK(with([](request_head& h) { h.path_valid = false; h.content_length = 2 * webhook_max_body; }) == 404);
  CHECK(with([](request_head& h) { h.content_length = webhook_max_body + 1; h.working = false; }) == 413);
  CHECK_FALSE(with([](request_head& h) { h.content_length = webhook_max_body; }));
  CHECK_FALSE(with([](request_head& h) { h.content_length.reset(); }));  // chunked: checked while reading
  CHECK(with([](request_head& h) { h.working = false; }) == 503);
}

TEST_CASE("status after the body is read", "[webhook]") {
  CHECK(judge({true, true, true, false}) == 413);
  CHECK(judge({false, false, true, false}) == 404);
  CHECK(judge({false, false, false, false}) == 404);
  CHECK(judge({false, true, false, false}) == 401);
  CHECK(judge({false, true, false, true}) == 401);  // an unsigned ping is refused like anything else
  CHECK(judge({false, true, true, true}) == 200);
  CHECK(judge({false, true, true, false}) == 202);
  CHECK(answered_after_floor(401));
  CHECK(answered_after_floor(404));
  CHECK_FALSE(answered_after_floor(202));
  CHECK_FALSE(answered_after_floor(413));
}

TEST_CASE("rate limit per source address", "[webhook]") {
  using namespace std::chrono_literals;
  source_rate_limiter limiter(2.0, 3, 2);
  auto t = source_rate_limiter::clock::time_point{} + 1h;
  CHECK(limiter.allow("10.0.0.1", t));
  CHECK(limiter.allow("10.0.0.1", t));
  CHECK(limiter.allow("10.0.0.1", t));
  CHECK_FALSE(limiter.allow("10.0.0.1", t));
  CHECK(limiter.allow("10.0.0.2", t));  // another source has its own bucket
  CHECK_FALSE(limiter.allow("10.0.0.1", t + 400ms));
  CHECK(limiter.allow("10.0.0.1", t + 500ms));  // refilled at 2 per second
  CHECK_FALSE(limiter.allow("10.0.0.1", t + 500ms));
  CHECK(limiter.allow("10.0.0.1", t + 1h));
  CHECK(limiter.allow("10.0.0.1", t + 1h));
  CHECK(limiter.allow("10.0.0.1", t + 1h));  // refills up to the burst, not beyond
  CHECK_FALSE(limiter.allow("10.0.0.1", t + 1h));
  // Bounded: a third source forgets the one seen least recently (10.0.0.2), which starts afresh.
  CHECK(limiter.allow("10.0.0.3", t + 1h));
  CHECK(limiter.tracked() == 2);
  CHECK_FALSE(limiter.allow("10.0.0.1", t + 1h));  // still tracked, still empty
  CHECK(limiter.allow("10.0.0.2", t + 1h));
  CHECK(limiter.tracked() == 2);
}
