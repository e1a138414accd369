#pragma once
// Drift repair decisions, without I/O: which change seen by a watch of a managed kind starts a
// reconcile of its owner, when an object fought over by another writer is left alone for a while,
// and when a periodic run of an unchanged commit may skip its full dry run.

#include "gitopsd/controller/scheduler.hpp"
#include "gitopsd/core/identity.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gitopsd::controller {

// What a watch keeps of one managed object (tens of bytes, not the object).
struct drift_seen {
  std::string resource_version;
  std::int64_t generation = 0;  // 0: the kind has no generation (ConfigMap, Secret, ...)
  bool marked = false;          // both owner labels and its own tracking id
};

enum class drift_change { modified, deleted };

struct drift_input {
  drift_change change = drift_change::modified;
  std::optional<drift_seen> before;  // none: first sight
  drift_seen after;                  // ignored for a deletion
  // Whether this version is one our own apply got back (own_writes); a field manager name proves
  // nothing, anyone may write with ours. None or false: checked by a dry run.
  std::optional<bool> written_by_us;
};

enum class drift_verdict {
  ignore_first_sight,  // nothing to compare with
  ignore_not_ours,     // never carried our marks
  ignore_own_change,   // the owner was busy
  ignore_unchanged,    // same resourceVersion (a relist)
  ignore_status_only,  // generation unchanged: status or metadata another controller writes
  deleted,
  marks_removed,
  spec_changed,        // generation changed, or any change of a kind without generation
};

drift_verdict decide_drift(const drift_input& in);

constexpr std::uint32_t no_drift_owner = UINT32_MAX;

// What a watch records of one object: its state, and the GitRepository its marks name when this
// agent tracks it (then `seen.marked`).
struct drift_record {
  drift_seen seen;
  std::uint32_t owner = no_drift_owner;
};

// One event of a watched object: what to decide on, whose reconcile a repair starts, and what to
// record. Marks count only while the named owner's inventory lists the object, asked at each event
// and not when the object was first seen: the inventory (in the GitRepository's status) and the
// object come by different watches, in either order. `event`: the object the event carries (for a
// deletion, its last state), none for a deletion a relist found.
struct drift_step {
  drift_input input;
  std::uint32_t owner = no_drift_owner;
  drift_record record;  // to keep, unless deleted
};
drift_step step_drift(const drift_record* before, drift_change change, const drift_record* event,
                      const std::function<bool(std::uint32_t)>& lists);

// The resourceVersions our own applies got back, per object ("namespace/name" of one kind): a
// watch event is our own write only when it carries one of them. A few per object, spent when
// seen; an event that arrives before its apply's answer is recorded costs one dry run.
class own_writes {
 public:
  explicit own_writes(std::size_t per_object = 4) : per_object_(per_object) {}
  void record(const std::string& object, const std::string& resource_version);
  // Whether `resource_version` was recorded for `object`; the entry is then spent.
  bool take(const std::string& object, const std::string& resource_version);
  void forget(const std::string& object) { versions_.erase(object); }
  [[nodiscard]] std::size_t tracked() const { return versions_.size(); }

 private:
  std::size_t per_object_;
  std::map<std::string, std::vector<std::string>> versions_;
};

// How many watched objects carry each owner's labels ("namespace/name"), per namespace: an owner
// with none of a kind in a namespace need not list them there. Owners are kept as a hash, not a
// name; a collision only makes none() say false, and the caller then lists.
class label_owner_counts {
 public:
  // 0 for an object without both owner labels (not counted).
  static std::size_t key(std::string_view owner_namespace, std::string_view owner_name);
  void add(std::size_t owner, const std::string& namespace_);
  void remove(std::size_t owner, const std::string& namespace_);
  [[nodiscard]] bool none(std::size_t owner, const std::string& namespace_) const;
  [[nodiscard]] std::size_t tracked() const { return counts_.size(); }

 private:
  std::map<std::pair<std::size_t, std::string>, std::size_t> counts_;
};

[[nodiscard]] inline bool triggers(drift_verdict v) { return v >= drift_verdict::deleted; }
const char* to_string(drift_verdict v);

// Two writers fighting over one object: after `limit` corrections of it within `window`, the
// rest of that window is left alone (and reported once).
class fight_detector {
 public:
  enum class verdict { correct, hold, hold_first };  // hold_first: the first hold of this window

  explicit fight_detector(int limit = 5, clock::duration length = std::chrono::minutes(1));
  verdict record(const std::string& object, clock::time_point now);
  // Forgets windows that have ended (bounded memory).
  void expire(clock::time_point now);
  [[nodiscard]] std::size_t tracked() const { return windows_.size(); }

 private:
  struct window {
    clock::time_point start;
    int corrections = 0;
    bool reported = false;
  };
  int limit_;
  clock::duration window_;
  std::map<std::string, window> windows_;
};

// What a run of an unchanged commit checks. With watches on every kind of the owner's inventory
// and a full check within `resync`: nothing, or only the objects a drift event named. Otherwise
// (a kind not watched, never checked by this process, resync due or off): every object.
// `overflow`: more objects drifted than were remembered, so a partial check would miss some.
enum class check_scope { full, skip, drifted_only };
check_scope decide_check(bool covered, bool drifted, bool overflow, std::optional<clock::time_point> last_full,
                         clock::time_point now, clock::duration resync);

// When the last full check was, after a run with `scope` ended: a successful full check now; a
// failed partial check never (it may have left drift behind: the next run checks everything).
std::optional<clock::time_point> last_full_after(std::optional<clock::time_point> last_full, bool ok, check_scope scope,
                                                 clock::time_point now);

// The scope of one run, and for drifted_only the inventory ids of the drifted objects.
struct drift_check {
  check_scope scope = check_scope::full;
  std::set<std::string> ids;
};

// The kinds to watch, at most `cap`: an inventory is written by the agent, but whoever may write a
// GitRepository's status could list thousands of kinds, each a watch. Owners are taken whole (a
// partly watched owner keeps its full dry run anyway): first those all of whose kinds are
// `watched` already, so one owner's changes do not push another out, then by fewest kinds. An
// owner left out is not covered and keeps its periodic full dry run.
std::set<group_version_kind> kinds_to_watch(const std::vector<const std::set<group_version_kind>*>& owners_kinds,
                                            std::size_t cap, const std::set<group_version_kind>& watched = {});

// How many owners list each kind, kept as owners change: while there are no more kinds than
// watches allowed, every kind is watched without ranking the owners, whose statuses a fleet
// writes by the thousand.
class kind_owners {
 public:
  // One owner's kinds changed from `before` to `after` (empty for a new or a gone owner).
  void replace(const std::set<group_version_kind>& before, const std::set<group_version_kind>& after);
  [[nodiscard]] std::size_t size() const { return counts_.size(); }
  [[nodiscard]] std::set<group_version_kind> kinds() const;

 private:
  std::map<group_version_kind, std::size_t> counts_;
};

}  // namespace gitopsd::controller
