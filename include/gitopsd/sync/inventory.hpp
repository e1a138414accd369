#pragma once
// The inventory: which objects a GitRepository applied, kept in its status so that a restarted
// agent (or another replica) knows what to prune without any local state.

#include "gitopsd/core/identity.hpp"
#include "gitopsd/sync/plan.hpp"

#include <rapidjson/document.h>

#include <string>
#include <vector>

namespace gitopsd::sync {

struct inventory_entry {
  std::string id;       // <namespace>_<name>_<group>_<kind>
  std::string version;  // the API version it was applied with
  auto operator<=>(const inventory_entry&) const = default;
};

// Sorted by id, so the status does not change when only the order in Git does.
std::vector<inventory_entry> inventory_of(const std::vector<planned_object>& objects);

// Reads status.inventory.entries; malformed entries are reported, not skipped.
result<std::vector<inventory_entry>> read_inventory(const rapidjson::Value& status);

// Writes {"entries":[{"id":..,"v":..}]}.
rapidjson::Value inventory_json(const std::vector<inventory_entry>& entries, rapidjson::Document::AllocatorType& a);

// Objects in `previous` and not in `next`, ordered for deletion: workloads first, CRDs and
// Namespaces last (the reverse of the apply stages).
std::vector<object_ref> stale_objects(const std::vector<inventory_entry>& previous,
                                      const std::vector<inventory_entry>& next);

}  // namespace gitopsd::sync
