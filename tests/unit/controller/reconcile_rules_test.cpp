#include "gitopsd/controller/reconcile_rules.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/git/errc.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using namespace gitopsd;
using namespace gitopsd::controller;

namespace {
rapidjson::Document doc(std::string_view text) { return json::parse(text).value(); }

gitrepository ready_at(const std::string& revision) {
  gitrepository repo;
  repo.generation = 2;
  repo.observed_generation = 2;
  repo.ready_status = "True";
  repo.last_applied_revision = revision;
  return repo;
}
}  // namespace

TEST_CASE("only a re-check of the applied, Ready commit is routine", "[reconcile_rules]") {
  auto repo = ready_at("main@sha1:a");
  CHECK(routine(repo, "main@sha1:a"));
  CHECK(routine(repo, ""));
  CHECK_FALSE(routine(repo, "main@sha1:b"));  // a new commit
  auto edited = repo;
  edited.generation = 3;  // a new spec
  CHECK_FALSE(routine(edited, "main@sha1:a"));
  auto failing = repo;
  failing.ready_status = "False";
  CHECK_FALSE(routine(failing, "main@sha1:a"));
  auto requested = repo;
  requested.requested_at = "now";
  CHECK_FALSE(routine(requested, "main@sha1:a"));
  requested.handled_requested_at = "now";
  CHECK(routine(requested, "main@sha1:a"));
}

TEST_CASE("a new commit skips the render only after this process rendered the applied one, with nothing else due", "[reconcile_rules]") {
  auto repo = ready_at("main@sha1:a");
  CHECK(may_skip_unchanged_render(repo, "main@sha1:a", "main@sha1:b", false));
  CHECK_FALSE(may_skip_unchanged_render(repo, "main@sha1:a", "main@sha1:a", false));  // no new commit
  CHECK_FALSE(may_skip_unchanged_render(repo, "", "main@sha1:b", false));             // not rendered here
  CHECK_FALSE(may_skip_unchanged_render(repo, "main@sha1:z", "main@sha1:b", false));  // another commit's reads
  CHECK_FALSE(may_skip_unchanged_render(repo, "main@sha1:a", "main@sha1:b", true));   // a full check is due
  auto edited = repo;
  edited.generation = 3;
  CHECK_FALSE(may_skip_unchanged_render(edited, "main@sha1:a", "main@sha1:b", false));
  auto failing = repo;
  failing.ready_status = "False";
  CHECK_FALSE(may_skip_unchanged_render(failing, "main@sha1:a", "main@sha1:b", false));
  auto requested = repo;
  requested.requested_at = "now";
  CHECK_FALSE(may_skip_unchanged_render(requested, "main@sha1:a", "main@sha1:b", false));
  // Inputs read from the cluster are not in the record.
  auto substituted = repo;
  substituted.spec.post_build.substitute_from.push_back({});
  CHECK_FALSE(may_skip_unchanged_render(substituted, "main@sha1:a", "main@sha1:b", false));
  auto decrypted = repo;
  decrypted.spec.decryption = decryption_spec{"keys"};
  CHECK_FALSE(may_skip_unchanged_render(decrypted, "main@sha1:a", "main@sha1:b", false));
}

TEST_CASE("the write-ahead inventory is written when it names new objects", "[reconcile_rules]") {
  std::vector<sync::inventory_entry> recorded{{"ns_a__ConfigMap", "v1"}, {"ns_b__ConfigMap", "v1"}};
  CHECK_FALSE(inventory_grows(recorded, {{"ns_a__ConfigMap", "v1"}}));
  CHECK_FALSE(inventory_grows(recorded, recorded));
  CHECK(inventory_grows(recorded, {{"ns_c__ConfigMap", "v1"}}));
  CHECK(inventory_grows({}, {{"ns_c__ConfigMap", "v1"}}));
}

TEST_CASE("a progress write lists the old inventory with the new one only until the prune", "[reconcile_rules]") {
  std::vector<sync::inventory_entry> recorded{{"ns_a__ConfigMap", "v1"}, {"ns_gone__ConfigMap", "v1"}};
  std::vector<sync::inventory_entry> next{{"ns_a__ConfigMap", "v1"}, {"ns_new__ConfigMap", "v1"}};
  std::vector<sync::inventory_entry> both{
      {"ns_a__ConfigMap", "v1"}, {"ns_gone__ConfigMap", "v1"}, {"ns_new__ConfigMap", "v1"}};
  CHECK(progress_inventory(stage::applying, recorded, next) == both);
  CHECK(progress_inventory(stage::pruning, recorded, next) == both);
  // After the prune the deleted object must not come back into status.
  CHECK(progress_inventory(stage::waiting, recorded, next) == next);
  CHECK(progress_inventory(stage::fetching, recorded, {}).empty());
}

TEST_CASE("our finalizer is added without touching the others", "[reconcile_rules]") {
  auto none = doc(R"({"metadata":{"resourceVersion":"5"}})");
  CHECK(finalizer_patch(none, true) ==
        R"([{"op":"test","path":"/metadata/resourceVersion","value":"5"},)"
        R"({"op":"add","path":"/metadata/finalizers","value":["gitopsd.io/finalizer"]}])");
  auto foreign = doc(R"({"metadata":{"resourceVersion":"6","finalizers":["foregroundDeletion","example.com/keep"]}})");
  CHECK(finalizer_patch(foreign, true) ==
        R"([{"op":"test","path":"/metadata/resourceVersion","value":"6"},)"
        R"({"op":"add","path":"/metadata/finalizers/-","value":"gitopsd.io/finalizer"}])");
  CHECK_FALSE(finalizer_patch(foreign, false));  // nothing of ours to remove
}

TEST_CASE("our finalizer is removed by index, guarded by a test of that entry", "[reconcile_rules]") {
  auto mixed = doc(R"({"metadata":{"finalizers":["orphan","gitopsd.io/finalizer","example.com/keep"]}})");
  CHECK(finalizer_patch(mixed, false) ==
        R"([{"op":"test","path":"/metadata/finalizers/1","value":"gitopsd.io/finalizer"},)"
        R"({"op":"remove","path":"/metadata/finalizers/1"}])");
  CHECK_FALSE(finalizer_patch(mixed, true));  // already there
  auto odd = doc(R"({"metadata":{"finalizers":[7,"gitopsd.io/finalizer"]}})");
  CHECK(finalizer_patch(odd, false).value().find("/metadata/finalizers/1") != std::string::npos);
}

TEST_CASE("a timeout says which step ran out of time", "[reconcile_rules]") {
  CHECK(timeout_message(stage::fetching, "git.example.com", 2s) ==
        "Git server at git.example.com did not answer within 2s (spec.timeout)");
  CHECK(timeout_message(stage::applying, "h", 90s) == "applying did not finish within 1m30s (spec.timeout)");
  CHECK(timeout_message(stage::waiting, "h", 5min) == "objects did not become ready within 5m0s (spec.timeout)");
  CHECK(timeout_message(stage::starting, "h", 1s) == "reconcile did not finish within 1s (spec.timeout)");
}

TEST_CASE("deletion gives up pruning only when impersonation cannot work any more", "[reconcile_rules]") {
  CHECK(release_without_pruning(true, false, false));   // the ServiceAccount is gone
  CHECK(release_without_pruning(false, true, true));    // its rights went with the namespace
  CHECK_FALSE(release_without_pruning(false, true, false));  // terminating, but prune works: prune
  CHECK_FALSE(release_without_pruning(false, false, true));  // forbidden in a live namespace: retry, say why
}

TEST_CASE("objects left behind are listed, long lists cut", "[reconcile_rules]") {
  CHECK(list_objects({"a", "b"}) == "a, b");
  CHECK(list_objects({"a", "b", "c", "d"}, 2) == "a, b and 2 more");
  CHECK(list_objects({}).empty());
}

TEST_CASE("Git failures that no retry can fix are spec errors", "[reconcile_rules]") {
  using gitopsd::git::errc;
  for (auto e : {errc::invalid_url, errc::url_not_allowed, errc::invalid_ref, errc::invalid_semver, errc::ref_not_found})
    CHECK(unfixable_by_retry(make_error_code(e)));
  for (auto e : {errc::network, errc::timeout, errc::auth_failed, errc::tls_failed, errc::cancelled, errc::too_large,
                 errc::cache, errc::internal})
    CHECK_FALSE(unfixable_by_retry(make_error_code(e)));
}

TEST_CASE("progress steps are coalesced, write-ahead inventory and requested reconciles excepted", "[reconcile_rules]") {
  using steady = std::chrono::steady_clock;
  steady::time_point t0{};
  CHECK_FALSE(progress_due(false, false, t0, std::nullopt, t0));               // a reconcile just started
  CHECK_FALSE(progress_due(false, false, t0, std::nullopt, t0 + 999ms));
  CHECK(progress_due(false, false, t0, std::nullopt, t0 + 1s));                // a slow one shows its step
  CHECK_FALSE(progress_due(false, false, t0, t0 + 1s, t0 + 1500ms));           // at most one a second
  CHECK(progress_due(false, false, t0, t0 + 1s, t0 + 2s));
  CHECK(progress_due(true, false, t0, std::nullopt, t0));                      // objects about to be created
  CHECK(progress_due(true, false, t0, t0 + 1s, t0 + 1100ms));
  CHECK(progress_due(false, true, t0, std::nullopt, t0));                      // a person is watching
}

TEST_CASE("an asked-for reconcile wants a listing made after it was asked", "[reconcile][listing]") {
  auto now = std::chrono::steady_clock::now();
  CHECK(listing_not_before(now - 3s, 5min, now) == now - 3s);
  CHECK(listing_not_before(now, 10s, now) == now);
}

TEST_CASE("an interval reconcile shares a listing up to half its interval old, at most a minute", "[reconcile][listing]") {
  auto now = std::chrono::steady_clock::now();
  CHECK(listing_not_before(std::nullopt, 10s, now) == now - 5s);
  CHECK(listing_not_before(std::nullopt, 2min, now) == now - 60s);
  CHECK(listing_not_before(std::nullopt, 5min, now) == now - 60s);
  CHECK(listing_not_before(std::nullopt, 0s, now) == now);
}
