#pragma once
// What `gitopsd diff` says about each object, and the exit code: pure decisions from what was
// read and dry-run, apart from the requests.

#include "gitopsd/core/identity.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

namespace gitopsd::cli {

enum class diff_action {
  unchanged,
  create,  // not in the cluster
  change,
  prune,   // in the inventory, no longer rendered, and spec.prune deletes it
  leave,   // in the inventory, no longer rendered, and left in the cluster (with why)
  skip,    // gitopsd.io/reconcile: disabled on the merged dry-run result (or the rendered object)
  refuse,  // the agent would stop at this object (another owner's, or not adoptable)
};

struct diff_entry {
  object_ref ref;
  diff_action action = diff_action::unchanged;
  std::string why;   // leave, skip, refuse; create: why it was not dry-run
  std::string diff;  // the unified diff (create, change, prune)
};

// An object that would be applied: from its claim (null: no owner to judge it by) and whether
// the dry run differs from the live object.
diff_entry applied_entry(const object_ref& ref, bool exists, const sync::claim_decision* claim, bool disabled,
                         std::string diff);

// An object of the inventory that is no longer rendered; `verdict` is empty when it is gone.
std::optional<diff_entry> stale_entry(const object_ref& ref, std::optional<sync::prune_verdict> verdict, bool prune,
                                      std::string diff);

// Create, change, prune and refuse are differences (exit 1); leave and skip change nothing.
bool is_difference(diff_action action);

// "ConfigMap/team/settings: would be changed" and the like, on one line without control or bidi
// characters (an owner's name comes from an annotation anyone may write).
std::string title(const diff_entry& entry);

// How many entries the agent would refuse; one is enough for it to apply nothing of the commit.
std::size_t refused_count(const std::vector<diff_entry>& entries);

// Every entry that is not unchanged: its title, then its diff; first, when any is refused, a line
// saying the agent would apply nothing.
std::string format_report(const std::vector<diff_entry>& entries, bool color);

// -o json|yaml: {"differences": bool, "commitRefused": bool, "objects": [{"object", "apiVersion", "kind", "namespace",
// "name", "action", "reason", "diff"}]}, every object including the unchanged ones.
rapidjson::Document report_json(const std::vector<diff_entry>& entries);

const char* to_string(diff_action action);

// 0: no difference, 1: a difference.
int diff_exit_code(const std::vector<diff_entry>& entries);

}  // namespace gitopsd::cli
