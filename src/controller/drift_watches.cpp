#include "gitopsd/controller/drift_watches.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/sync/inventory.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::controller {

namespace asio = boost::asio;

namespace {

constexpr std::uint32_t no_owner = no_drift_owner;
// Drifted objects remembered per owner between runs; more make the next run a full check.
constexpr std::size_t max_drifted = 64;
// Changes held per owner while its reconcile runs (one apply of a large commit brings one each).
constexpr std::size_t max_unconfirmed = 4096;

std::size_t label_owner_of(const rapidjson::Value& object) {
  return label_owner_counts::key(json::get_string(object, "metadata", "labels", sync::owner_namespace_label).value_or(""),
                                 json::get_string(object, "metadata", "labels", sync::owner_name_label).value_or(""));
}

std::string key_of(const rapidjson::Value& object) {
  return fmt::format("{}/{}", json::get_string(object, "metadata", "namespace").value_or(""),
                     json::get_string(object, "metadata", "name").value_or(""));
}

}  // namespace

struct drift_watches::kind_watch {
  struct entry {
    drift_record record;
    std::size_t label_owner = 0;  // label_owner_of
  };
  group_version_kind gvk;
  asio::cancellation_signal stop;
  std::unordered_map<std::string, entry> objects;  // by "namespace/name"
  label_owner_counts per_owner;  // of `objects`
  own_writes own;  // versions our applies got back, not yet seen here
  std::set<std::string> listed;  // during a list: the objects it returned
  bool listing = false;
  bool synced = false;
  bool ever_synced = false;
  bool released = false;
};

drift_watches::drift_watches(asio::any_io_executor executor, kube::client client, server::metrics& metrics,
                             drift_settings settings, trigger_fn trigger)
    : executor_(std::move(executor)),
      client_(std::move(client)),
      metrics_(metrics),
      settings_(std::move(settings)),
      trigger_(std::move(trigger)),
      fights_(settings_.fight_limit, settings_.fight_window) {
  metrics_.describe("gitopsd_drift_events_total", "counter",
                    "Changes by others to managed objects that started a reconcile of their owner.");
  metrics_.describe("gitopsd_drift_fights_total", "counter",
                    "Objects left alone for the rest of a minute after too many corrections (another writer fights Git).");
  metrics_.describe("gitopsd_drift_watches", "gauge", "Kinds of managed objects watched for drift.");
}

void drift_watches::track(const std::string& owner, const rapidjson::Value& gitrepository) {
  owner_state& o = owners_[owner];
  std::set<group_version_kind> kinds;
  std::unordered_set<std::string> ids;
  bool in_scope = true;
  if (const auto* status = json::find(gitrepository, "status")) {
    if (auto entries = sync::read_inventory(*status)) {
      for (const auto& e : *entries) {
        auto ref = parse_inventory_id(e.id);
        if (!ref) continue;
        ref->gvk.version = e.version;
        if (!settings_.namespace_.empty() && !ref->namespace_.empty() && ref->namespace_ != settings_.namespace_)
          in_scope = false;
        kinds.insert(ref->gvk);
        ids.insert(e.id);
      }
    }
  }
  o.in_scope = in_scope;
  o.ids = std::move(ids);
  if (kinds == o.kinds) return;
  kind_owners_.replace(o.kinds, kinds);
  o.kinds = std::move(kinds);
  update_watches();
}

void drift_watches::untrack(const std::string& owner) {
  auto it = owners_.find(owner);
  if (it == owners_.end()) return;
  kind_owners_.replace(it->second.kinds, {});
  owners_.erase(it);
  update_watches();
}

void drift_watches::update_watches() {
  if (stopping_) return;
  std::set<group_version_kind> needed;
  if (kind_owners_.size() <= settings_.max_watches) {
    needed = kind_owners_.kinds();
  } else {
    std::vector<const std::set<group_version_kind>*> owners_kinds;
    for (const auto& [key, o] : owners_) owners_kinds.push_back(&o.kinds);
    std::set<group_version_kind> watched;
    for (const auto& [gvk, w] : watches_) watched.insert(gvk);
    needed = kinds_to_watch(owners_kinds, settings_.max_watches, watched);
  }
  if (needed.size() < kind_owners_.size() && !cap_reported_) {
    cap_reported_ = true;
    log::warn("more kinds in inventories than drift watches allowed; the rest are checked at each interval",
              {{"watches", std::to_string(settings_.max_watches)}});
  }
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (needed.contains(it->first)) {
      ++it;
      continue;
    }
    log::info("no inventory holds this kind any more; watch released", {{"kind", it->first.api_version() + " " + it->first.kind}});
    it->second->released = true;
    // Posted: this may run inside another watch's callback, and the signal must outlive its emit.
    asio::post(executor_, [w = it->second] { w->stop.emit(asio::cancellation_type::terminal); });
    it = watches_.erase(it);
  }
  for (const auto& gvk : needed)
    if (!watches_.contains(gvk)) start(gvk);
  metrics_.set("gitopsd_drift_watches", {}, static_cast<double>(watches_.size()));
}

void drift_watches::start(const group_version_kind& gvk) {
  auto w = std::make_shared<kind_watch>();
  w->gvk = gvk;
  watches_[gvk] = w;
  ++alive_;
  log::info("watching a managed kind for drift", {{"kind", gvk.api_version() + " " + gvk.kind}});
  asio::co_spawn(executor_, run_watch(w), asio::bind_cancellation_slot(w->stop.slot(), [this, w](std::exception_ptr e) {
    --alive_;
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("drift watch crashed", {{"kind", w->gvk.kind}, {"error", ex.what()}});
    } catch (...) {
      log::error("drift watch crashed", {{"kind", w->gvk.kind}});
    }
    w->synced = false;
  }));
}

asio::awaitable<void> drift_watches::run_watch(std::shared_ptr<kind_watch> w) {
  kube::watch_options options;
  options.label_selector = sync::owner_name_label;
  options.metadata_only = true;
  std::function<void(kube::watch_event&)> handler = [this, w](kube::watch_event& e) {
    if (!w->released && !stopping_) on_event(*w, e);
  };
  std::chrono::seconds backoff{10};
  for (;;) {
    auto ended = co_await client_.watch(w->gvk, settings_.namespace_, options, handler);
    w->synced = false;
    if (w->released || stopping_ || (!ended && ended.error().code == kube::errc::cancelled)) co_return;
    // Forbidden, or the kind is gone: the periodic full dry run covers its owners meanwhile.
    log::warn("watching a managed kind failed; its drift is found by the periodic dry run until it works",
              {{"kind", w->gvk.api_version() + " " + w->gvk.kind}, {"error", ended ? "ended" : ended.error().what()},
               {"retry_seconds", backoff.count()}});
    asio::steady_timer timer(executor_, backoff);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    backoff = std::min(backoff * 2, std::chrono::seconds(300));
  }
}

void drift_watches::own_write(const object_ref& ref, const std::string& resource_version) {
  auto it = watches_.find(ref.gvk);
  if (it == watches_.end()) return;  // not watched: nothing to tell apart
  it->second->own.record(ref.namespace_ + "/" + ref.name, resource_version);
}

bool drift_watches::owns_none(const sync::owner& who, const group_version_kind& gvk, const std::string& namespace_) const {
  if (!settings_.namespace_.empty() && namespace_ != settings_.namespace_) return false;  // not watched there
  auto it = watches_.find(gvk);
  if (it == watches_.end() || !it->second->synced || it->second->listing) return false;
  return it->second->per_owner.none(label_owner_counts::key(who.namespace_, who.name), namespace_);
}

void drift_watches::on_event(kind_watch& w, kube::watch_event& e) {
  switch (e.type) {
    case kube::watch_event_type::reset:
      w.listing = true;
      w.listed.clear();
      break;
    case kube::watch_event_type::added:
    case kube::watch_event_type::modified: {
      std::string key = key_of(e.object);
      if (w.listing) w.listed.insert(key);
      on_change(w, key, drift_change::modified, &e.object);
      break;
    }
    case kube::watch_event_type::deleted: on_change(w, key_of(e.object), drift_change::deleted, &e.object); break;
    case kube::watch_event_type::synced: {
      // A relist (410 Gone, a restarted API server, a failed watch): what it no longer returned
      // was deleted meanwhile.
      std::vector<std::string> gone;
      for (const auto& [key, r] : w.objects)
        if (!w.listed.contains(key)) gone.push_back(key);
      for (const auto& key : gone) on_change(w, key, drift_change::deleted, nullptr);
      w.listing = false;
      w.listed.clear();
      if (w.ever_synced) {
        // Events may have been missed: the owners' next run checks everything.
        for (auto& [owner, o] : owners_)
          if (o.kinds.contains(w.gvk)) o.last_full.reset();
      }
      w.synced = w.ever_synced = true;
      log::info("drift watch synced", {{"kind", w.gvk.kind}, {"objects", w.objects.size()}});
      break;
    }
    case kube::watch_event_type::bookmark: break;
  }
}

void drift_watches::on_change(kind_watch& w, const std::string& key, drift_change change, const rapidjson::Value* object) {
  auto it = w.objects.find(key);
  auto slash = key.find('/');
  object_ref ref{w.gvk, key.substr(0, slash), key.substr(slash + 1)};
  std::string id = ref.inventory_id();
  std::optional<drift_record> event;
  std::string uid;
  if (object != nullptr) {
    uid = json::get_string(*object, "metadata", "uid").value_or("");
    event.emplace();
    event->seen.resource_version = json::get_string(*object, "metadata", "resourceVersion").value_or("");
    event->seen.generation = json::get_int(*object, "metadata", "generation").value_or(0);
    auto name = json::get_string(*object, "metadata", "labels", sync::owner_name_label);
    auto ns = json::get_string(*object, "metadata", "labels", sync::owner_namespace_label);
    if (name && ns) {
      sync::owner who{std::string(*ns), std::string(*name)};
      event->owner = tracked_owner(who.namespace_ + "/" + who.name);
      event->seen.marked = event->owner != no_owner && sync::is_owned_by(*object, who, ref);
    }
  }
  auto step = step_drift(it != w.objects.end() ? &it->second.record : nullptr, change, event ? &*event : nullptr,
                         [&](std::uint32_t owner) { return lists(owner, id); });
  drift_input& in = step.input;
  std::uint32_t owner = step.owner;
  if (object != nullptr && change == drift_change::modified)
    in.written_by_us = w.own.take(key, in.after.resource_version);
  auto verdict = decide_drift(in);
  const std::string& ns = ref.namespace_;
  if (it != w.objects.end()) w.per_owner.remove(it->second.label_owner, ns);
  if (change == drift_change::deleted) {
    if (it != w.objects.end()) w.objects.erase(it);
    w.own.forget(key);
  } else {
    std::size_t label_owner = object != nullptr ? label_owner_of(*object) : 0;
    w.per_owner.add(label_owner, ns);
    w.objects[key] = {step.record, label_owner};
  }
  if (!triggers(verdict)) return;
  if (change == drift_change::modified && owner != no_owner) {
    auto o = owners_.find(owner_names_.at(owner));
    if (o != owners_.end() && o->second.running && o->second.while_running.size() < max_unconfirmed) {
      o->second.while_running.push_back({w.gvk, key, in.after.resource_version, verdict, std::move(uid)});
      return;
    }
  }
  correct(w, owner, key, verdict, std::move(uid));
}

void drift_watches::correct(kind_watch& w, std::uint32_t owner, const std::string& key, drift_verdict why, std::string uid) {
  if (owner == no_owner) return;
  auto now = clock::now();
  const std::string& owner_key = owner_names_.at(owner);
  auto slash = key.find('/');
  object_ref ref{w.gvk, key.substr(0, slash), key.substr(slash + 1)};
  std::string object = ref.display();
  auto owner_slash = owner_key.find('/');
  server::labels labels{{"name", owner_key.substr(owner_slash + 1)}, {"namespace", owner_key.substr(0, owner_slash)}};
  fights_.expire(now);
  auto verdict = fights_.record(object, now);
  if (verdict != fight_detector::verdict::correct) {
    // Left alone now, but not for an hour: the owner's next periodic run checks it in full.
    if (auto o = owners_.find(owner_key); o != owners_.end()) o->second.last_full.reset();
  }
  switch (verdict) {
    case fight_detector::verdict::correct: break;
    case fight_detector::verdict::hold: return;
    case fight_detector::verdict::hold_first: {
      metrics_.add("gitopsd_drift_fights_total", labels);
      std::string message = fmt::format(
          "{} was changed by another writer {} times within {}s and corrected each time; left alone for the rest of "
          "that time (GitRepository {})",
          object, settings_.fight_limit,
          std::chrono::duration_cast<std::chrono::seconds>(settings_.fight_window).count(), owner_key);
      log::warn("another writer fights Git over an object; not correcting it for now", {{"object", object}, {"owner", owner_key}});
      kube::event_spec e;
      e.regarding = ref;
      e.regarding_uid = std::move(uid);
      e.type = "Warning";
      e.reason = "DriftFight";
      e.message = std::move(message);
      ++alive_;
      asio::co_spawn(executor_, [client = client_, e = std::move(e)]() mutable -> asio::awaitable<void> {
        auto created = co_await client.create_event(std::move(e));
        if (!created) log::warn("event not recorded", {{"error", created.error().what()}});
      }, [this](std::exception_ptr) { --alive_; });
      return;
    }
  }
  auto o = owners_.find(owner_key);
  if (o == owners_.end()) return;  // an owner this agent does not reconcile
  // Only the objects that drifted are checked, unless so many did that listing them costs more.
  if (o->second.drifted.size() < max_drifted) o->second.drifted.insert(ref.inventory_id());
  else o->second.drift_overflow = true;
  if (!trigger_(owner_key)) return;
  metrics_.add("gitopsd_drift_events_total", labels);
  log::info("drift detected; reconciling its owner", {{"object", object}, {"owner", owner_key}, {"change", to_string(why)}});
}

std::uint32_t drift_watches::owner_id(const std::string& owner) {
  auto [it, inserted] = owner_ids_.try_emplace(owner, static_cast<std::uint32_t>(owner_names_.size()));
  if (inserted) owner_names_.push_back(owner);
  return it->second;
}

std::uint32_t drift_watches::tracked_owner(const std::string& owner) {
  return owners_.contains(owner) ? owner_id(owner) : no_owner;
}

bool drift_watches::lists(std::uint32_t owner, const std::string& inventory_id) const {
  auto o = owners_.find(owner_names_.at(owner));
  return o != owners_.end() && o->second.ids.contains(inventory_id);
}

bool drift_watches::covered(const owner_state& o) const {
  if (!o.in_scope) return false;
  return std::all_of(o.kinds.begin(), o.kinds.end(), [&](const group_version_kind& gvk) {
    auto it = watches_.find(gvk);
    return it != watches_.end() && it->second->synced;
  });
}

drift_check drift_watches::begin_reconcile(const std::string& owner, clock::time_point now) {
  auto it = owners_.find(owner);
  if (it == owners_.end()) return {};
  owner_state& o = it->second;
  o.running = true;
  auto drifted = std::exchange(o.drifted, {});
  bool overflow = std::exchange(o.drift_overflow, false);
  drift_check check;
  check.scope = decide_check(covered(o), !drifted.empty(), overflow, o.last_full, now, settings_.resync);
  if (check.scope == check_scope::drifted_only) check.ids = std::move(drifted);
  return check;
}

void drift_watches::end_reconcile(const std::string& owner, bool ok, check_scope scope, clock::time_point now) {
  auto it = owners_.find(owner);
  if (it == owners_.end()) return;
  owner_state& o = it->second;
  o.running = false;
  o.last_full = last_full_after(o.last_full, ok, scope, now);
  auto seen = std::exchange(o.while_running, {});
  std::uint32_t id = owner_id(owner);
  for (auto& u : seen) {
    auto w = watches_.find(u.gvk);
    if (w == watches_.end() || w->second->own.take(u.key, u.resource_version)) continue;  // our own apply
    correct(*w->second, id, u.key, u.why, std::move(u.uid));
  }
}

void drift_watches::stop() {
  stopping_ = true;
  for (auto& [gvk, w] : watches_) {
    w->released = true;
    w->stop.emit(asio::cancellation_type::terminal);
  }
  watches_.clear();
}

}  // namespace gitopsd::controller
