#include "gitopsd/controller/leader_election.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;
using namespace gitopsd::controller;
using namespace std::chrono_literals;

namespace {
rapidjson::Document lease(std::string holder, std::string renewed, int seconds = 15) {
  return json::parse(fmt::format(R"({{"metadata":{{"resourceVersion":"7"}},"spec":{{"holderIdentity":"{}",
    "renewTime":"{}","leaseDurationSeconds":{},"leaseTransitions":2,"acquireTime":"2026-01-01T00:00:00.000000Z"}}}})",
                                 holder, renewed, seconds))
      .value();
}
auto at(std::string_view t) { return parse_micro_time(t).value(); }
}  // namespace

TEST_CASE("micro times parse and format", "[leader]") {
  auto t = at("2026-11-26T03:50:00.123456Z");
  CHECK(format_micro_time(t) == "2026-11-26T03:50:00.123456Z");
  CHECK(format_micro_time(at("2026-11-26T03:50:00Z")) == "2026-11-26T03:50:00.000000Z");
  CHECK(at("2026-11-26T03:50:00.5Z") - at("2026-11-26T03:50:00Z") == 500ms);
  CHECK_FALSE(parse_micro_time("yesterday"));
  CHECK_FALSE(parse_micro_time("2026-11-26T03:50:00+01:00"));
}

TEST_CASE("lease decisions: create, renew, a released lease", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  CHECK_FALSE(o.has_observed());
  CHECK(o.decide(nullptr, "me", t0) == lease_action::create);
  CHECK(o.has_observed());
  auto mine = lease("me", "2026-11-26T03:59:59.000000Z");
  CHECK(o.decide(&mine, "me", t0) == lease_action::renew);
  auto released = lease("", "2026-11-26T03:59:59.000000Z");
  CHECK(o.decide(&released, "me", t0) == lease_action::acquire);
}

TEST_CASE("an unchanged record is taken over only after leaseDuration of our own time", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  // The holder's renewTime is a day old by any clock: still, we have only just seen the record.
  auto stale = lease("other", "2026-11-25T04:00:00.000000Z");
  CHECK(o.decide(&stale, "me", t0) == lease_action::wait);
  CHECK(o.decide(&stale, "me", t0 + 14s) == lease_action::wait);
  CHECK(o.decide(&stale, "me", t0 + 14999ms) == lease_action::wait);
  CHECK(o.decide(&stale, "me", t0 + 15s) == lease_action::acquire);
  // The record's own leaseDurationSeconds counts, not ours.
  lease_observer longer;
  auto slow = lease("other", "2026-11-25T04:00:00.000000Z", 60);
  CHECK(longer.decide(&slow, "me", t0) == lease_action::wait);
  CHECK(longer.decide(&slow, "me", t0 + 59s) == lease_action::wait);
  CHECK(longer.decide(&slow, "me", t0 + 60s) == lease_action::acquire);
}

TEST_CASE("a holder whose clock is far behind keeps its lease while it renews", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  // Each renewal writes a renewTime a year in the past (a skewed clock) but a new record.
  for (int i = 0; i < 20; ++i) {
    auto renewed = lease("other", fmt::format("2025-11-26T03:00:{:02}.000000Z", i));
    INFO("renewal " << i);
    CHECK(o.decide(&renewed, "me", t0 + std::chrono::seconds(10 * i)) == lease_action::wait);
  }
  // It stops renewing: after leaseDuration of our time we take over.
  auto last = lease("other", "2025-11-26T03:00:19.000000Z");
  CHECK(o.decide(&last, "me", t0 + 190s + 14s) == lease_action::wait);
  CHECK(o.decide(&last, "me", t0 + 190s + 15s) == lease_action::acquire);
}

TEST_CASE("a holder whose clock is ahead cannot keep a lease it stopped renewing", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  auto future = lease("other", "2099-01-01T00:00:00.000000Z");
  CHECK(o.decide(&future, "me", t0) == lease_action::wait);
  CHECK(o.decide(&future, "me", t0 + 15s) == lease_action::acquire);
}

TEST_CASE("a new resourceVersion alone restarts the expiry count", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  auto a = lease("other", "2026-11-26T03:00:00.000000Z");
  CHECK(o.decide(&a, "me", t0) == lease_action::wait);
  auto b = lease("other", "2026-11-26T03:00:00.000000Z");
  b["metadata"]["resourceVersion"].SetString("8");
  CHECK(o.decide(&b, "me", t0 + 10s) == lease_action::wait);
  CHECK(o.decide(&b, "me", t0 + 20s) == lease_action::wait);
  CHECK(o.decide(&b, "me", t0 + 25s) == lease_action::acquire);
}

TEST_CASE("our own write is the record observed", "[leader]") {
  lease_observer o;
  auto t0 = mono_clock::time_point{} + 1h;
  auto other = lease("other", "2026-11-26T03:00:00.000000Z");
  CHECK(o.decide(&other, "me", t0) == lease_action::wait);
  auto written = lease("me", "2026-11-26T03:00:15.000000Z");
  written["metadata"]["resourceVersion"].SetString("9");
  o.wrote(written, t0 + 15s);
  // Taken back by the other replica: a changed record, so we wait a full duration again.
  auto back = lease("other", "2026-11-26T03:00:16.000000Z");
  back["metadata"]["resourceVersion"].SetString("10");
  CHECK(o.decide(&back, "me", t0 + 16s) == lease_action::wait);
  CHECK(o.decide(&back, "me", t0 + 30s) == lease_action::wait);
  CHECK(o.decide(&back, "me", t0 + 31s) == lease_action::acquire);
}

TEST_CASE("a leader that cannot renew within the deadline stops leading", "[leader]") {
  leadership l(10s);
  auto t0 = mono_clock::time_point{} + 1h;
  CHECK_FALSE(l.attempt(attempt_outcome::failed, t0));
  CHECK(l.attempt(attempt_outcome::held, t0));
  CHECK(l.renew_by() == t0 + 10s);
  CHECK(l.attempt(attempt_outcome::failed, t0 + 2s));
  CHECK(l.attempt(attempt_outcome::failed, t0 + 9999ms));
  CHECK_FALSE(l.attempt(attempt_outcome::failed, t0 + 10s));
  CHECK_FALSE(l.leading());
  // A later success leads again (the agent exits before that: a lost leader never resumes work).
  CHECK(l.attempt(attempt_outcome::held, t0 + 12s));
  CHECK(l.attempt(attempt_outcome::held, t0 + 20s));
  CHECK(l.attempt(attempt_outcome::failed, t0 + 29s));
  CHECK_FALSE(l.attempt(attempt_outcome::failed, t0 + 30s));
}

TEST_CASE("a leader that finds another holder stops at once", "[leader]") {
  leadership l(10s);
  auto t0 = mono_clock::time_point{} + 1h;
  CHECK(l.attempt(attempt_outcome::held, t0));
  CHECK_FALSE(l.attempt(attempt_outcome::held_by_other, t0 + 2s));
}

TEST_CASE("lease durations must keep the leader's deadline before the lease expires", "[leader]") {
  lease_settings s;
  CHECK(validate(s).empty());
  s.renew_deadline = 15s;
  CHECK_FALSE(validate(s).empty());
  s.renew_deadline = 10s;
  s.retry_period = 10s;
  CHECK_FALSE(validate(s).empty());
  s.retry_period = 0s;
  CHECK_FALSE(validate(s).empty());
}

TEST_CASE("lease bodies count transitions and keep the resourceVersion", "[leader]") {
  lease_settings s{"gitopsd-system", "gitopsd-leader", "me"};
  auto now = at("2026-11-26T04:00:00Z");
  auto taken = lease("other", "2026-11-26T03:00:00.000000Z");
  auto body = lease_body(s, &taken, now, false);
  CHECK(json::get_string(body, "metadata", "resourceVersion") == "7");
  CHECK(json::get_string(body, "spec", "holderIdentity") == "me");
  CHECK(json::get_int(body, "spec", "leaseTransitions") == 3);
  CHECK(json::get_string(body, "spec", "acquireTime") == "2026-11-26T04:00:00.000000Z");
  auto mine = lease("me", "2026-11-26T03:59:59.000000Z");
  auto renewed = lease_body(s, &mine, now, false);
  CHECK(json::get_int(renewed, "spec", "leaseTransitions") == 2);
  CHECK(json::get_string(renewed, "spec", "acquireTime") == "2026-01-01T00:00:00.000000Z");
  auto released = lease_body(s, &mine, now, true);
  CHECK(json::get_string(released, "spec", "holderIdentity") == "");
  CHECK(json::get_int(released, "spec", "leaseDurationSeconds") == 1);
  auto fresh = lease_body(s, nullptr, now, false);
  CHECK_FALSE(json::get_string(fresh, "metadata", "resourceVersion"));
  CHECK(json::get_int(fresh, "spec", "leaseTransitions") == 1);
}
