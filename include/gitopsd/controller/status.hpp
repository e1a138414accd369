#pragma once
// The status a reconcile writes: kstatus-compatible conditions (Ready, Reconciling, Stalled) with
// a reason and a message a person can act on, plus revisions and the inventory.

#include "gitopsd/sync/inventory.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

namespace gitopsd::controller {

// Ready=False reasons.
namespace reason {
inline constexpr const char* progressing = "Progressing";
inline constexpr const char* progressing_with_retry = "ProgressingWithRetry";
inline constexpr const char* succeeded = "ReconciliationSucceeded";
inline constexpr const char* git_failed = "GitOperationFailed";
inline constexpr const char* build_failed = "BuildFailed";
inline constexpr const char* apply_failed = "ApplyFailed";
inline constexpr const char* prune_failed = "PruneFailed";
inline constexpr const char* health_failed = "HealthCheckFailed";
inline constexpr const char* dependency_not_ready = "DependencyNotReady";
inline constexpr const char* invalid_spec = "InvalidSpec";
inline constexpr const char* suspended = "Suspended";
inline constexpr const char* invalid_inventory = "InvalidInventory";
inline constexpr const char* internal_error = "InternalError";
inline constexpr const char* ownership_conflict = "OwnershipConflict";
inline constexpr const char* empty_render = "EmptyRender";
inline constexpr const char* access_denied = "AccessDenied";  // a reference the tenancy policy refuses
inline constexpr const char* verification_failed = "VerificationFailed";
inline constexpr const char* decryption_failed = "DecryptionFailed";
// Warning Event reasons that are not a Ready condition.
inline constexpr const char* prune_skipped = "PruneSkipped";  // deletion left objects in place
inline constexpr const char* orphaned = "Orphaned";           // prune left adopted Namespaces and CRDs
}  // namespace reason

enum class phase {
  progressing,  // a step is under way: Ready=Unknown, Reconciling=True
  succeeded,    // Ready=True
  failed,       // Ready=False, retried: Reconciling=True
  stalled,      // Ready=False, Stalled=True: nothing changes until the spec does
};

// status.lastAppliedCommit: what `gitopsd get` and `trace` show beside the revision.
struct commit_summary {
  std::string author;   // "Name <email>"
  std::string subject;  // first line of the message
  std::string time;     // author time, RFC 3339
};

struct status_update {
  status_update() = default;
  status_update(phase p, std::string why, std::string text, std::int64_t generation)
      : state(p), reason(std::move(why)), message(std::move(text)), observed_generation(generation) {}
  phase state = phase::progressing;
  std::string reason;
  std::string message;
  std::int64_t observed_generation = 0;
  std::optional<std::string> last_attempted_revision;
  std::optional<std::string> last_applied_revision;
  std::optional<std::string> handled_requested_at;
  std::optional<std::vector<sync::inventory_entry>> inventory;
  // status.verifiedBy: who signed the applied revision; empty removes it (no spec.verify).
  std::optional<std::string> verified_by;
  std::optional<commit_summary> last_applied_commit;
};

// The body of a merge patch on the status subresource: {"status": {...}}. `current` is the
// object's current status (or null); a condition keeps its lastTransitionTime while its status
// stays the same. `now` is an RFC 3339 time.
rapidjson::Document status_patch(const status_update& update, const rapidjson::Value* current, std::string_view now);

// RFC 3339 UTC time with seconds, as Kubernetes writes metav1.Time.
std::string rfc3339_now();
std::string rfc3339(std::int64_t seconds_since_epoch);

}  // namespace gitopsd::controller
