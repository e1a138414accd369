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

TEST_CASE("lease decisions", "[leader]") {
  auto now = at("2026-11-26T04:00:00Z");
  CHECK(decide(nullptr, "me", now) == lease_action::create);
  auto mine = lease("me", "2026-11-26T03:59:59.000000Z");
  CHECK(decide(&mine, "me", now) == lease_action::renew);
  auto fresh = lease("other", "2026-11-26T03:59:50.000000Z");
  CHECK(decide(&fresh, "me", now) == lease_action::wait);
  auto expired = lease("other", "2026-11-26T03:59:40.000000Z");
  CHECK(decide(&expired, "me", now) == lease_action::acquire);
  auto released = lease("", "2026-11-26T03:59:59.000000Z");
  CHECK(decide(&released, "me", now) == lease_action::acquire);
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
