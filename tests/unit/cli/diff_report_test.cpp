#include "gitopsd/cli/diff_report.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::cli;

namespace {

const object_ref ref{{"", "v1", "ConfigMap"}, "team", "settings"};
const std::string some_diff = "--- live/x\n+++ merged/x\n@@ -1 +1 @@\n-a\n+b\n";

}  // namespace

TEST_CASE("diff report: applied objects", "[cli]") {
  CHECK(applied_entry(ref, true, nullptr, false, "").action == diff_action::unchanged);
  CHECK(applied_entry(ref, true, nullptr, false, some_diff).action == diff_action::change);
  CHECK(applied_entry(ref, false, nullptr, false, some_diff).action == diff_action::create);
  CHECK(applied_entry(ref, true, nullptr, true, "").action == diff_action::skip);
  sync::claim_decision other{sync::claim::other_owner, "team/other", false};
  auto refused = applied_entry(ref, true, &other, false, "");
  CHECK(refused.action == diff_action::refuse);
  CHECK(title(refused) == "ConfigMap/team/settings: would be refused (owned by GitRepository team/other)");
  sync::claim_decision unmarked{sync::claim::unmarked, "", false};
  CHECK(title(applied_entry(ref, true, &unmarked, false, "")).find("gitopsd.io/adopt") != std::string::npos);
  auto unserved = applied_entry(ref, false, nullptr, false, some_diff);
  unserved.why = "its CRD is in this commit";
  CHECK(title(unserved) == "ConfigMap/team/settings: would be created (shown as rendered: its CRD is in this commit)");
  sync::claim_decision ours{sync::claim::ours, "", false};
  CHECK(applied_entry(ref, true, &ours, false, some_diff).action == diff_action::change);
}

TEST_CASE("diff report: an owner's name from the cluster reaches the terminal as plain text", "[cli]") {
  sync::claim_decision hostile{sync::claim::other_owner, "team/x\x1b]0;owned\x07\n\xc2\x9b" "2J\xe2\x80\xae" "y", false};
  auto e = applied_entry(ref, true, &hostile, false, "");
  CHECK(title(e) == "ConfigMap/team/settings: would be refused (owned by GitRepository team/x ]0;owned   2J y)");
  CHECK(format_report({e}, false).ends_with("\n" + title(e) + "\n"));
  sync::claim_decision long_name{sync::claim::other_owner, std::string(5000, 'a'), false};
  CHECK(title(applied_entry(ref, true, &long_name, false, "")).size() < 300);
}

TEST_CASE("diff report: stale objects of the inventory", "[cli]") {
  CHECK_FALSE(stale_entry(ref, std::nullopt, true, "").has_value());
  CHECK(stale_entry(ref, sync::prune_verdict::remove, true, some_diff)->action == diff_action::prune);
  auto left = stale_entry(ref, sync::prune_verdict::remove, false, "");
  CHECK(left->action == diff_action::leave);
  CHECK(title(*left) == "ConfigMap/team/settings: no longer in Git, would be left in the cluster (spec.prune is false)");
  CHECK(stale_entry(ref, sync::prune_verdict::keep_disabled, true, "")->action == diff_action::leave);
  CHECK(stale_entry(ref, sync::prune_verdict::keep_not_ours, true, "")->action == diff_action::leave);
  CHECK(stale_entry(ref, sync::prune_verdict::orphan_adopted, true, "")->action == diff_action::leave);
}

TEST_CASE("diff report: exit code and text", "[cli]") {
  std::vector<diff_entry> none{applied_entry(ref, true, nullptr, false, "")};
  CHECK(diff_exit_code(none) == 0);
  CHECK(format_report(none, false).empty());
  // Left and skipped objects are told, yet the cluster would not change: exit 0.
  std::vector<diff_entry> told{*stale_entry(ref, sync::prune_verdict::remove, false, ""),
                               applied_entry(ref, true, nullptr, true, "")};
  CHECK(diff_exit_code(told) == 0);
  CHECK(format_report(told, false) ==
        "ConfigMap/team/settings: no longer in Git, would be left in the cluster (spec.prune is false)\n"
        "ConfigMap/team/settings: would be skipped (gitopsd.io/reconcile: disabled)\n");
  std::vector<diff_entry> changed{applied_entry(ref, true, nullptr, false, some_diff)};
  CHECK(diff_exit_code(changed) == 1);
  CHECK(format_report(changed, false) == "ConfigMap/team/settings: would be changed\n" + some_diff);
  CHECK(format_report(changed, true).find("\033[31m-a\033[0m") != std::string::npos);
  CHECK(diff_exit_code({*stale_entry(ref, sync::prune_verdict::remove, true, some_diff)}) == 1);
}

TEST_CASE("diff report: -o json lists every object with its action", "[cli]") {
  std::vector<diff_entry> entries{applied_entry(ref, true, nullptr, false, ""),
                                  applied_entry(ref, true, nullptr, false, some_diff)};
  auto doc = report_json(entries);
  CHECK(json::serialize(doc) ==
        R"({"differences":true,"commitRefused":false,"objects":[{"object":"ConfigMap/team/settings","apiVersion":"v1","kind":"ConfigMap",)"
        R"("namespace":"team","name":"settings","action":"unchanged","reason":"","diff":""},)"
        R"({"object":"ConfigMap/team/settings","apiVersion":"v1","kind":"ConfigMap","namespace":"team","name":"settings",)"
        R"("action":"change","reason":"","diff":"--- live/x\n+++ merged/x\n@@ -1 +1 @@\n-a\n+b\n"}]})");
  CHECK(json::serialize(report_json({})) == R"({"differences":false,"commitRefused":false,"objects":[]})");
}

TEST_CASE("diff report: one refused object and the agent applies nothing of the commit", "[cli]") {
  sync::claim_decision other{sync::claim::other_owner, "team/other", false};
  std::vector<diff_entry> entries{applied_entry(ref, true, nullptr, false, some_diff), applied_entry(ref, true, &other, false, "")};
  CHECK(refused_count(entries) == 1);
  CHECK(format_report(entries, false) ==
        "the agent would refuse this commit and apply nothing: 1 object would be refused\n"
        "ConfigMap/team/settings: would be changed\n" + some_diff +
        "ConfigMap/team/settings: would be refused (owned by GitRepository team/other)\n");
  entries.push_back(applied_entry(ref, true, &other, false, ""));
  CHECK(format_report(entries, false).starts_with("the agent would refuse this commit and apply nothing: 2 objects would be refused\n"));
  CHECK(json::serialize(report_json(entries)).starts_with(R"({"differences":true,"commitRefused":true,)"));
  CHECK(refused_count({applied_entry(ref, true, nullptr, false, some_diff)}) == 0);
}
