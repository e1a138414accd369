#include "gitopsd/controller/status.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::controller;

namespace {
const rapidjson::Value& condition(const rapidjson::Document& patch, std::string_view type) {
  for (const auto& c : patch["status"]["conditions"].GetArray())
    if (json::get_string(c, "type") == type) return c;
  FAIL("no condition " << type);
  throw;
}
bool has_condition(const rapidjson::Document& patch, std::string_view type) {
  for (const auto& c : patch["status"]["conditions"].GetArray())
    if (json::get_string(c, "type") == type) return true;
  return false;
}
}  // namespace

TEST_CASE("success sets Ready=True and drops Reconciling and Stalled", "[status]") {
  status_update u{phase::succeeded, "", "Applied revision: main@sha1:abc", 4};
  u.last_attempted_revision = "main@sha1:abc";
  u.last_applied_revision = "main@sha1:abc";
  u.handled_requested_at = "t1";
  u.inventory = std::vector<sync::inventory_entry>{{"ns_a__ConfigMap", "v1"}};
  auto patch = status_patch(u, nullptr, "2026-01-01T00:00:00Z");
  CHECK(json::get_string(condition(patch, "Ready"), "status") == "True");
  CHECK(json::get_string(condition(patch, "Ready"), "reason") == "ReconciliationSucceeded");
  CHECK(json::get_int(condition(patch, "Ready"), "observedGeneration") == 4);
  CHECK_FALSE(has_condition(patch, "Reconciling"));
  CHECK_FALSE(has_condition(patch, "Stalled"));
  CHECK(json::get_string(patch, "status", "lastAppliedRevision") == "main@sha1:abc");
  CHECK(json::get_string(patch, "status", "lastHandledReconcileAt") == "t1");
  CHECK(json::get_int(patch, "status", "observedGeneration") == 4);
  CHECK(patch["status"]["inventory"]["entries"].Size() == 1);
}

TEST_CASE("progress, retryable failure and stall", "[status]") {
  auto progress = status_patch({phase::progressing, "", "applying 3 of 10 objects", 1}, nullptr, "t");
  CHECK(json::get_string(condition(progress, "Ready"), "status") == "Unknown");
  CHECK(json::get_string(condition(progress, "Reconciling"), "message") == "applying 3 of 10 objects");
  CHECK_FALSE(progress["status"].HasMember("lastAppliedRevision"));
  CHECK_FALSE(progress["status"].HasMember("inventory"));

  auto failed = status_patch({phase::failed, reason::apply_failed, "Deployment/a/web: forbidden", 1}, nullptr, "t");
  CHECK(json::get_string(condition(failed, "Ready"), "reason") == "ApplyFailed");
  CHECK(json::get_string(condition(failed, "Reconciling"), "reason") == "ProgressingWithRetry");

  auto stalled = status_patch({phase::stalled, reason::invalid_spec, "spec.url is required", 1}, nullptr, "t");
  CHECK(json::get_string(condition(stalled, "Stalled"), "status") == "True");
  CHECK_FALSE(has_condition(stalled, "Reconciling"));
}

TEST_CASE("lastTransitionTime changes only with the condition's status", "[status]") {
  auto current = json::parse(R"({"conditions":[{"type":"Ready","status":"True","lastTransitionTime":"old"}]})").value();
  auto same = status_patch({phase::succeeded, "", "ok", 2}, &current, "new");
  CHECK(json::get_string(condition(same, "Ready"), "lastTransitionTime") == "old");
  auto flipped = status_patch({phase::failed, reason::git_failed, "auth", 2}, &current, "new");
  CHECK(json::get_string(condition(flipped, "Ready"), "lastTransitionTime") == "new");
}

TEST_CASE("long messages are cut", "[status]") {
  auto patch = status_patch({phase::failed, reason::apply_failed, std::string(10000, 'x'), 1}, nullptr, "t");
  CHECK(json::get_string(condition(patch, "Ready"), "message")->size() < 4200);
  CHECK(rfc3339_now().size() == 20);
}

TEST_CASE("status.verifiedBy is written when known and removed when verification is off", "[status]") {
  status_update u{phase::succeeded, "", "Applied revision: main@sha1:abc", 4};
  auto untouched = status_patch(u, nullptr, "2026-01-01T00:00:00Z");
  CHECK_FALSE(untouched["status"].HasMember("verifiedBy"));
  u.verified_by = "commit 0123456789ab by SSH SHA256:abc";
  auto set = status_patch(u, nullptr, "2026-01-01T00:00:00Z");
  CHECK(json::get_string(set["status"], "verifiedBy") == "commit 0123456789ab by SSH SHA256:abc");
  u.verified_by = "";
  auto cleared = status_patch(u, nullptr, "2026-01-01T00:00:00Z");
  REQUIRE(cleared["status"].HasMember("verifiedBy"));
  CHECK(cleared["status"]["verifiedBy"].IsNull());
}

TEST_CASE("status.lastAppliedCommit carries author, subject and time, cut to a bounded size", "[status]") {
  status_update u{phase::succeeded, "", "Applied revision: main@sha1:abc", 4};
  CHECK_FALSE(status_patch(u, nullptr, "t")["status"].HasMember("lastAppliedCommit"));
  u.last_applied_commit = commit_summary{"Ada <ada@example.com>", "Scale web to 3", rfc3339(1767225600)};
  auto patch = status_patch(u, nullptr, "t");
  CHECK(json::get_string(patch, "status", "lastAppliedCommit", "author") == "Ada <ada@example.com>");
  CHECK(json::get_string(patch, "status", "lastAppliedCommit", "subject") == "Scale web to 3");
  CHECK(json::get_string(patch, "status", "lastAppliedCommit", "time") == "2026-01-01T00:00:00Z");
  // A subject of 10,000 bytes with a multi-byte character at the cut is cut before that character.
  u.last_applied_commit->subject = std::string(255, 'x') + "\xc3\xa9" + std::string(10000, 'y');
  auto cut = status_patch(u, nullptr, "t");
  CHECK(json::get_string(cut, "status", "lastAppliedCommit", "subject") == std::string(255, 'x') + "...");
}
