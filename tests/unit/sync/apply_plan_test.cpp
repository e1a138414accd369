// The apply stage with the claim's deferred reads: a first sync reads nothing before its dry run,
// and an object the dry run shows to exist is read and decided before anything is written.

#include "fake_cluster.hpp"
#include "gitopsd/sync/apply.hpp"

#include <set>

using namespace gitopsd;
using namespace gitopsd::sync;
using namespace test::sync;
namespace asio = boost::asio;
using test::request;
using test::tcp;

namespace {

claim_settings deferred(bool adopt = false) {
  claim_settings settings;
  settings.who = us;
  settings.adopt = adopt;
  settings.defer_unknown = true;
  settings.in_flight = 4;
  return settings;
}

apply_settings applying() {
  apply_settings settings;
  settings.who = us;
  settings.in_flight = 4;
  return settings;
}

struct run_result {
  result<change_set> changes;
  int writes;  // applies that were not dry runs
};

run_result claim_and_apply(fake_cluster& cluster, asio::io_context& io, kube::client& client,
                           std::vector<planned_object>& plan, const claim_settings& settings) {
  auto claimed = test::run(io, claim_objects(client, plan, settings));
  REQUIRE(claimed.has_value());
  auto changes = test::run(io, apply_plan(client, plan, applying(), &*claimed));
  int writes = 0;
  std::lock_guard lock(cluster.m);
  for (const auto& s : cluster.seen) writes += s.starts_with("PATCH") && s.find("dryRun=All") == std::string::npos ? 1 : 0;
  return {std::move(changes), writes};
}

}  // namespace

TEST_CASE("apply: a first sync reads no object before its dry run", "[apply]") {
  fake_cluster cluster;
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"a", "b"}, {});
  auto settings = deferred();
  settings.known_none = [](const group_version_kind&, const std::string&) { return true; };
  auto r = claim_and_apply(cluster, io, client, plan, settings);
  REQUIRE(r.changes.has_value());
  CHECK(r.changes->created == 2);
  CHECK(r.writes == 2);
  CHECK(cluster.count("GET") == 0);  // no LIST, no read of either object
  CHECK(cluster.count("PATCH") == 4);
}

TEST_CASE("apply: an object the dry run finds someone else's stops the commit before any write", "[apply]") {
  fake_cluster cluster;
  cluster.put(cm("theirs"), {"team-b", "app"});
  cluster.put(cm("hand"), {});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  for (const auto& name : {"theirs", "hand"}) {
    cluster.seen.clear();
    auto plan = plan_of({"fresh", name}, {});
    auto r = claim_and_apply(cluster, io, client, plan, deferred());
    REQUIRE_FALSE(r.changes.has_value());
    CHECK(r.changes.error().code == claim_errc::conflict);
    CHECK_THAT(r.changes.error().what(), Catch::StartsWith(fmt::format("ConfigMap/ns/{} ({}.yaml#1) ", name, name)));
    CHECK(r.writes == 0);
    CHECK(cluster.count(fmt::format("GET /api/v1/namespaces/ns/configmaps/{}", name)) == 1);
    CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/fresh") == 0);  // new, says its dry run
  }
}

TEST_CASE("apply: an object adopted once its dry run shows it exists is written with the adopted mark", "[apply]") {
  fake_cluster cluster;
  cluster.put(cm("hand"), {});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"hand", "fresh"}, {});
  auto r = claim_and_apply(cluster, io, client, plan, deferred(true));
  REQUIRE(r.changes.has_value());
  CHECK(r.changes->adopted == 1);
  CHECK(r.changes->created == 1);
  CHECK(r.changes->configured == 1);
  auto hand = json::parse(cluster.applied.at("/api/v1/namespaces/ns/configmaps/hand")).value();
  CHECK(json::get_string(hand, "metadata", "annotations", "gitopsd.io/adopted") == "true");
  auto fresh = json::parse(cluster.applied.at("/api/v1/namespaces/ns/configmaps/fresh")).value();
  CHECK_FALSE(json::get_string(fresh, "metadata", "annotations", "gitopsd.io/adopted"));
}

TEST_CASE("apply: with a Namespace to create, every other object is decided before the Namespace is written", "[apply]") {
  fake_cluster cluster;
  cluster.put(cm("theirs"), {"team-b", "app"});
  test::server srv([&](const request& req, tcp::socket& s) { return cluster.handle(req, s); });
  asio::io_context io;
  auto client = test::make_client(io, srv);
  auto plan = plan_of({"theirs", "fresh"}, {"new-ns"});
  auto r = claim_and_apply(cluster, io, client, plan, deferred());
  REQUIRE_FALSE(r.changes.has_value());
  CHECK(r.changes.error().code == claim_errc::conflict);
  CHECK(r.writes == 0);
  CHECK(cluster.count("PATCH /api/v1/namespaces/new-ns?") == 1);  // its dry run only

  // Objects in the Namespace the commit creates cannot exist yet: not read (the watch knows we
  // have none there, so they are not listed either).
  cluster.seen.clear();
  auto fresh_only = plan_of({"fresh"}, {"ns"});
  auto settings = deferred();
  settings.known_none = [](const group_version_kind& gvk, const std::string&) { return gvk.kind == "ConfigMap"; };
  auto ok = claim_and_apply(cluster, io, client, fresh_only, settings);
  REQUIRE(ok.changes.has_value());
  CHECK(ok.changes->created == 2);
  CHECK(cluster.count("GET /api/v1/namespaces/ns/configmaps/fresh") == 0);
}
