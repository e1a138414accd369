#pragma once
// The decisions of a reconcile that need no I/O: when status is written, how our finalizer is
// added and removed, what a timeout says, and when deletion gives up pruning.

#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/duration.hpp"
#include "gitopsd/sync/inventory.hpp"

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::controller {

// A periodic re-check of a commit that is already applied and Ready: its steps write no status,
// so a steady state costs the API server no writes.
bool routine(const gitrepository& repo, const std::string& revision);

// A new commit may be taken as applied without rendering when the last one was applied, is Ready
// and was rendered by this process (`rendered_revision`: what the record of its render's reads
// is for), nothing else asks for a full run (a spec change, requestedAt, a due drift check), the
// render reads nothing from the cluster (postBuild.substituteFrom, decryption keys: not in the
// record), and the new tree answers every read of that render as before (checked by the caller).
bool may_skip_unchanged_render(const gitrepository& repo, const std::string& rendered_revision,
                               const std::string& revision, bool full_check_due);

// Whether `next` names an object that `recorded` does not: then the write-ahead inventory must
// reach the status before anything is applied.
bool inventory_grows(const std::vector<sync::inventory_entry>& recorded, const std::vector<sync::inventory_entry>& next);

// Whether a progress step goes to status now. Steps are coalesced: none while the reconcile is
// younger than `spacing` (a quick one writes only its result) and at most one per `spacing`.
// A step that must be shown (the write-ahead inventory, a health wait) is always written, and so
// is every step of a reconcile a person asked for (requestedAt), whose steps `gitopsd reconcile
// --wait` shows.
bool progress_due(bool must_show, bool requested, std::chrono::steady_clock::time_point started,
                  std::optional<std::chrono::steady_clock::time_point> last_write, std::chrono::steady_clock::time_point now,
                  std::chrono::steady_clock::duration spacing = std::chrono::seconds(1));

// A JSON Patch (RFC 6902) on the object that adds or removes our finalizer and touches no other
// entry of metadata.finalizers; nullopt when the list already is as asked. An add is guarded by
// the resourceVersion, a remove by testing the entry it removes, so a concurrent edit makes the
// patch fail instead of losing someone else's finalizer.
std::optional<std::string> finalizer_patch(const rapidjson::Value& object, bool present);

// The step a reconcile is in, for the message when its time runs out.
enum class stage { starting, dependencies, fetching, rendering, planning, applying, pruning, waiting, reporting };

// The inventory a progress write records (empty: none). Up to the prune, objects of the inventory
// the run started from may still exist, so both are listed (write-ahead); from the health wait on,
// only what this commit applied: the rest was pruned or let go.
std::vector<sync::inventory_entry> progress_inventory(stage at, const std::vector<sync::inventory_entry>& recorded,
                                                      const std::vector<sync::inventory_entry>& next);

// What a person reads when the reconcile's time ran out, e.g. "Git server at example.com did not
// answer within 2s".
std::string timeout_message(stage at, std::string_view git_host, duration limit);

// Deletion cannot prune through an impersonated ServiceAccount that no longer exists, or whose
// rights went with its namespace: then the finalizer is released and the objects are left.
bool release_without_pruning(bool service_account_missing, bool namespace_terminating, bool prune_forbidden);

// A Git failure that says the spec is wrong (a URL that cannot be used, a file:// URL the agent
// does not allow, a bad ref or semver range, a branch, tag or commit the server's listing does not
// hold): Stalled as InvalidSpec, not retried with backoff; the interval looks again.
bool unfixable_by_retry(const boost::system::error_code& git_failure);

// The oldest ref listing a reconcile may take from another GitRepository of its URL (made with the
// same credentials) instead of listing the remote itself. A run someone or something asked for
// (`asked_at`: a spec change, requestedAt, a webhook, first sight, a retry) wants a listing made
// after it was asked; a run the interval brought accepts one up to half its interval old, at most
// max_shared_listing_age: so many objects on one URL make about one listing per URL per interval.
inline constexpr duration max_shared_listing_age = std::chrono::seconds(60);
std::chrono::steady_clock::time_point listing_not_before(std::optional<std::chrono::steady_clock::time_point> asked_at,
                                                         duration interval, std::chrono::steady_clock::time_point now);

// "ConfigMap/ns/a, Secret/ns/b and 3 more", for Events that name objects left behind.
std::string list_objects(const std::vector<std::string>& names, std::size_t shown = 10);

}  // namespace gitopsd::controller
