#include "gitopsd/controller/drift_rules.hpp"

#include <algorithm>
#include <functional>

namespace gitopsd::controller {

drift_verdict decide_drift(const drift_input& in) {
  if (!in.before) return drift_verdict::ignore_first_sight;
  const drift_seen& before = *in.before;
  if (!before.marked) return drift_verdict::ignore_not_ours;
  // Deletions and removed marks always trigger, even while the owner runs: a prune looks the same
  // as a user's delete, and missing the user's costs a whole resync period. When it was ours, the
  // one extra run finds nothing to do, writes nothing, and so causes no further event.
  if (in.change == drift_change::deleted) return drift_verdict::deleted;
  const drift_seen& after = in.after;
  if (after.resource_version == before.resource_version) return drift_verdict::ignore_unchanged;
  if (!after.marked) return drift_verdict::marks_removed;  // our apply never removes our marks
  // Only a write known to be ours (its version came back from our apply) is skipped; any other,
  // even one made with our field manager name, is checked by a dry run, which applies nothing
  // when Git already matches.
  if (in.written_by_us.value_or(false)) return drift_verdict::ignore_own_change;
  if (after.generation == 0 && before.generation == 0) return drift_verdict::spec_changed;
  if (after.generation != before.generation) return drift_verdict::spec_changed;
  return drift_verdict::ignore_status_only;
}

drift_step step_drift(const drift_record* before, drift_change change, const drift_record* event,
                      const std::function<bool(std::uint32_t)>& lists) {
  auto listed = [&](const drift_record& r) { return r.seen.marked && r.owner != no_drift_owner && lists(r.owner); };
  drift_step out;
  out.input.change = change;
  if (before != nullptr) {
    drift_record was = *before;
    // Recorded before its owner was tracked: the event's object names it (a deletion's last state).
    if (was.owner == no_drift_owner && event != nullptr) {
      was.owner = event->owner;
      was.seen.marked = event->seen.marked;
    }
    out.input.before = was.seen;
    out.input.before->marked = listed(was);
    out.owner = was.owner;
  }
  if (event == nullptr) return out;
  out.record = *event;
  if (change == drift_change::deleted) return out;
  out.input.after = event->seen;
  out.input.after.marked = listed(*event);
  // Marks naming another owner, or none: the owner seen before repairs (its marks were removed).
  if (out.input.after.marked) out.owner = event->owner;
  return out;
}

void own_writes::record(const std::string& object, const std::string& resource_version) {
  if (resource_version.empty()) return;
  auto& versions = versions_[object];
  if (versions.size() >= per_object_) versions.erase(versions.begin());
  versions.push_back(resource_version);
}

std::size_t label_owner_counts::key(std::string_view owner_namespace, std::string_view owner_name) {
  if (owner_namespace.empty() || owner_name.empty()) return 0;
  std::string owner;
  owner.reserve(owner_namespace.size() + 1 + owner_name.size());
  owner.append(owner_namespace).append("/").append(owner_name);
  std::size_t h = std::hash<std::string>{}(owner);
  return h == 0 ? 1 : h;  // 0 means "no owner"
}

void label_owner_counts::add(std::size_t owner, const std::string& namespace_) {
  if (owner != 0) ++counts_[{owner, namespace_}];
}

void label_owner_counts::remove(std::size_t owner, const std::string& namespace_) {
  auto it = counts_.find({owner, namespace_});
  if (it == counts_.end()) return;
  if (--it->second == 0) counts_.erase(it);
}

bool label_owner_counts::none(std::size_t owner, const std::string& namespace_) const {
  return !counts_.contains({owner, namespace_});
}

bool own_writes::take(const std::string& object, const std::string& resource_version) {
  auto it = versions_.find(object);
  if (it == versions_.end() || resource_version.empty()) return false;
  auto& versions = it->second;
  auto found = std::find(versions.begin(), versions.end(), resource_version);
  if (found == versions.end()) return false;
  // Versions recorded before this one were seen already or never will be.
  versions.erase(versions.begin(), found + 1);
  if (versions.empty()) versions_.erase(it);
  return true;
}

const char* to_string(drift_verdict v) {
  switch (v) {
    case drift_verdict::ignore_first_sight: return "first sight";
    case drift_verdict::ignore_not_ours: return "not ours";
    case drift_verdict::ignore_own_change: return "own change";
    case drift_verdict::ignore_unchanged: return "unchanged";
    case drift_verdict::ignore_status_only: return "status only";
    case drift_verdict::deleted: return "deleted";
    case drift_verdict::marks_removed: return "marks removed";
    case drift_verdict::spec_changed: return "changed";
  }
  return "?";
}

fight_detector::fight_detector(int limit, clock::duration length) : limit_(limit), window_(length) {}

fight_detector::verdict fight_detector::record(const std::string& object, clock::time_point now) {
  auto [it, inserted] = windows_.try_emplace(object, window{now, 0, false});
  window& w = it->second;
  if (!inserted && now - w.start >= window_) w = window{now, 0, false};
  if (w.corrections < limit_) {
    ++w.corrections;
    return verdict::correct;
  }
  if (w.reported) return verdict::hold;
  w.reported = true;
  return verdict::hold_first;
}

void fight_detector::expire(clock::time_point now) {
  std::erase_if(windows_, [&](const auto& kv) { return now - kv.second.start >= window_; });
}

check_scope decide_check(bool covered, bool drifted, bool overflow, std::optional<clock::time_point> last_full,
                         clock::time_point now, clock::duration resync) {
  if (resync <= clock::duration::zero() || !covered || !last_full || now - *last_full >= resync) return check_scope::full;
  if (overflow) return check_scope::full;
  return drifted ? check_scope::drifted_only : check_scope::skip;
}

std::optional<clock::time_point> last_full_after(std::optional<clock::time_point> last_full, bool ok, check_scope scope,
                                                 clock::time_point now) {
  if (ok && scope == check_scope::full) return now;
  if (!ok && scope == check_scope::drifted_only) return std::nullopt;
  return last_full;
}

std::set<group_version_kind> kinds_to_watch(const std::vector<const std::set<group_version_kind>*>& owners_kinds,
                                            std::size_t cap, const std::set<group_version_kind>& watched) {
  // Whether each owner is watched whole already, found once per owner rather than per comparison.
  std::vector<std::pair<bool, const std::set<group_version_kind>*>> order;
  order.reserve(owners_kinds.size());
  for (const auto* kinds : owners_kinds)
    order.emplace_back(std::includes(watched.begin(), watched.end(), kinds->begin(), kinds->end()), kinds);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first : a.second->size() < b.second->size();
  });
  std::set<group_version_kind> out;
  for (const auto& entry : order) {
    const auto* kinds = entry.second;
    std::size_t added = 0;
    for (const auto& gvk : *kinds) added += out.contains(gvk) ? 0 : 1;
    if (out.size() + added > cap) continue;
    out.insert(kinds->begin(), kinds->end());
  }
  return out;
}

void kind_owners::replace(const std::set<group_version_kind>& before, const std::set<group_version_kind>& after) {
  for (const auto& gvk : before)
    if (auto it = counts_.find(gvk); it != counts_.end() && --it->second == 0) counts_.erase(it);
  for (const auto& gvk : after) ++counts_[gvk];
}

std::set<group_version_kind> kind_owners::kinds() const {
  std::set<group_version_kind> out;
  for (const auto& [gvk, owners] : counts_) out.insert(out.end(), gvk);
  return out;
}

}  // namespace gitopsd::controller
