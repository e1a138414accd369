#include "gitopsd/sync/apply.hpp"

#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/duration.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace gitopsd::sync {
namespace {

namespace asio = boost::asio;

const char* describe(apply_errc e) {
  switch (e) {
    case apply_errc::invalid: return "the server refused objects in a dry run";
    case apply_errc::failed: return "apply failed";
    case apply_errc::crd_not_established: return "CustomResourceDefinition not established";
    case apply_errc::status_not_written: return "status not written";
  }
  return "apply error";
}
constexpr char category_name[] = "gitopsd.sync.apply";
using category = enum_category<apply_errc, category_name, describe>;

struct outcome {
  std::optional<kube::apply_outcome> result;
  std::string resource_version;
  bool disabled = false;
  std::optional<error> failure;
};

// At most this many failures are listed in one message; the count says how many there were.
constexpr std::size_t listed_failures = 5;

std::string failure_list(const std::vector<outcome>& outcomes, const std::vector<const planned_object*>& objects) {
  std::string text;
  std::size_t count = 0;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (!outcomes[i].failure) continue;
    if (count++ < listed_failures)
      text += fmt::format("{}{} ({}): {}", text.empty() ? "" : "; ", objects[i]->ref.display(), objects[i]->origin,
                          outcomes[i].failure->what());
  }
  if (count > listed_failures) text += fmt::format("; and {} more", count - listed_failures);
  return text;
}

asio::awaitable<bool> crd_established(kube::client& client, const object_ref& crd, std::chrono::seconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  asio::steady_timer timer(executor);
  for (;;) {
    auto live = co_await client.get(crd);
    if (live) {
      const auto* conditions = json::find(*live, "status", "conditions");
      if (conditions != nullptr && conditions->IsArray())
        for (const auto& c : conditions->GetArray())
          if (json::get_string(c, "type") == "Established" && json::get_string(c, "status") == "True") co_return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) co_return false;
    timer.expires_after(std::chrono::milliseconds(200));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

// Dry-runs every object of `objects`, collecting every failure.
// `known`: the owner's objects as the claim stage listed them (kinds it found not served, such as
// those of CRDs applied by this commit, are listed here); everything is listed here when null.
asio::awaitable<std::vector<outcome>> dry_run(kube::client& client, const std::vector<const planned_object*>& objects,
                                              const apply_settings& settings, const live_objects* known) {
  std::vector<outcome> outcomes(objects.size());
  auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<group_version_kind, std::string>> groups;
  for (const auto* o : objects)
    if (known == nullptr || known->unserved.contains(o->ref.gvk)) groups.emplace_back(o->ref.gvk, o->ref.namespace_);
  live_objects listed_here;
  if (!groups.empty()) listed_here = co_await list_owned(client, std::move(groups), settings.who, settings.in_flight);
  auto previous = [&](const object_ref& ref) -> const rapidjson::Value* {
    if (known != nullptr)
      if (auto it = known->by_ref.find(ref); it != known->by_ref.end()) return it->second;
    auto it = listed_here.by_ref.find(ref);
    return it != listed_here.by_ref.end() ? it->second : nullptr;
  };
  auto listed = [&](const object_ref& ref) {
    return (known != nullptr && known->listed.contains({ref.gvk, ref.namespace_})) ||
           listed_here.listed.contains({ref.gvk, ref.namespace_});
  };
  double list_seconds = seconds_since(started);
  auto checking = std::chrono::steady_clock::now();
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    kube::apply_options options;
    options.dry_run = true;
    options.secret_values = settings.secret_values;
    // Server-side apply refuses unknown fields at any validation level and the renderer refuses
    // duplicate keys, so the server's strict check would only parse every body a second time.
    options.validation = kube::field_validation::ignore;
    const object_ref& ref = objects[i]->ref;
    if (const auto* before = previous(ref)) options.previous_object = before;
    // Absent from a list of our objects: new (the answer says 201), or one the claim left pending
    // (someone else's, adoptable, or ours behind a lagging watch), which is read and decided
    // after this dry run if it exists; nothing needs reading first.
    else if (listed(ref)) options.detect_unchanged = false;
    auto r = co_await client.apply(objects[i]->object, options);
    if (!r) {
      outcomes[i].failure = r.error();
      co_return;
    }
    outcomes[i].result = r->outcome;
    outcomes[i].resource_version = json::get_string(r->object, "metadata", "resourceVersion").value_or("");
    // The merged result carries annotations that other managers set in the cluster too.
    outcomes[i].disabled = is_disabled(r->object, reconcile_annotation);
  };
  co_await for_each_bounded(objects.size(), settings.in_flight, work);
  log::debug("dry run", {{"objects", objects.size()}, {"list_seconds", list_seconds},
                         {"dry_run_seconds", seconds_since(checking)}});
  co_return outcomes;
}

// The dry run answered 201: the object does not exist yet.
bool dry_run_says_new(const outcome& o) { return !o.failure && o.result == kube::apply_outcome::created; }

bool any_failed(const std::vector<outcome>& outcomes) {
  return std::any_of(outcomes.begin(), outcomes.end(), [](const outcome& o) { return o.failure.has_value(); });
}

// Applies the objects the dry run says would change; counts the rest.
asio::awaitable<result<void>> apply_changed(kube::client& client, const std::vector<const planned_object*>& objects,
                                            std::vector<outcome>& outcomes, const apply_settings& settings,
                                            change_set& changes) {
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (outcomes[i].disabled) ++changes.skipped;
    else if (outcomes[i].result == kube::apply_outcome::unchanged) ++changes.unchanged;
    else pending.push_back(i);
  }
  if (settings.progress && !pending.empty())
    settings.progress(fmt::format("applying {} changed of {} objects", pending.size(), objects.size()));
  auto work = [&](std::size_t k) -> asio::awaitable<void> {
    std::size_t i = pending[k];
    kube::apply_options options;
    options.secret_values = settings.secret_values;
    // As in the dry run: the unknown-field check does not depend on it.
    options.validation = kube::field_validation::ignore;
    // New in the dry run: the answer's 201 tells created, nothing needs reading first.
    if (outcomes[i].result == kube::apply_outcome::created) options.detect_unchanged = false;
    else options.previous_resource_version = outcomes[i].resource_version;
    auto r = co_await client.apply(objects[i]->object, options);
    if (!r) {
      outcomes[i].failure = r.error();
      co_return;
    }
    outcomes[i].result = r->outcome;
    if (settings.written && r->outcome != kube::apply_outcome::unchanged)
      settings.written(objects[i]->ref, std::string(json::get_string(r->object, "metadata", "resourceVersion").value_or("")));
  };
  auto started = std::chrono::steady_clock::now();
  co_await for_each_bounded(pending.size(), settings.in_flight, work);
  if (!pending.empty())
    log::debug("applied", {{"objects", pending.size()}, {"seconds", seconds_since(started)}});
  for (std::size_t i : pending) {
    if (outcomes[i].failure) continue;
    if (outcomes[i].result == kube::apply_outcome::created) ++changes.created;
    else if (outcomes[i].result == kube::apply_outcome::configured) ++changes.configured;
    else ++changes.unchanged;
    if (outcomes[i].result != kube::apply_outcome::unchanged) changes.applied.push_back(objects[i]->ref);
  }
  if (any_failed(outcomes)) co_return make_error(category::code(apply_errc::failed), failure_list(outcomes, objects));
  co_return result<void>{};
}

std::vector<const planned_object*> select(const std::vector<planned_object>& plan, bool definitions) {
  std::vector<const planned_object*> out;
  for (const auto& p : plan)
    if ((p.stage == apply_stage::definitions) == definitions) out.push_back(&p);
  return out;
}

}  // namespace

asio::awaitable<result<change_set>> apply_plan(kube::client& client, std::vector<planned_object>& plan,
                                               const apply_settings& settings, claim_result* claimed) {
  change_set changes;
  const live_objects* known = claimed != nullptr ? &claimed->live : nullptr;
  // The claim stage left some objects unread: those that may exist are read and decided before
  // anything is written (pending_to_read; `outcomes` empty: no dry run answers yet).
  auto resolve = [&](const std::vector<const planned_object*>& objects, const std::vector<outcome>& outcomes,
                     const std::set<std::string>& new_namespaces) -> asio::awaitable<result<void>> {
    if (claimed == nullptr || claimed->pending.empty()) co_return result<void>{};
    std::vector<object_ref> refs;
    std::vector<std::optional<bool>> is_new;
    for (std::size_t i = 0; i < objects.size(); ++i) {
      refs.push_back(objects[i]->ref);
      if (i < outcomes.size()) is_new.emplace_back(dry_run_says_new(outcomes[i]));
    }
    refs = pending_to_read(refs, is_new, claimed->pending, new_namespaces, claimed->live.unserved);
    if (refs.empty()) co_return result<void>{};
    co_return co_await resolve_pending(client, plan, *claimed, refs);
  };
  bool announced = false;
  auto announce = [&]() -> asio::awaitable<bool> {
    if (announced || !settings.before_first_write) co_return true;
    announced = true;
    co_return co_await settings.before_first_write();
  };
  auto not_announced = [] {
    return make_error(category::code(apply_errc::status_not_written), "status not written before applying");
  };
  // First CRDs, Namespaces and ClusterRoles: objects of new kinds and in new namespaces can only
  // be checked once these exist.
  auto definitions = select(plan, true);
  auto rest = select(plan, false);
  if (!definitions.empty()) {
    auto outcomes = co_await dry_run(client, definitions, settings, known);
    bool writes = std::any_of(outcomes.begin(), outcomes.end(), [](const outcome& o) {
      return o.failure || (!o.disabled && o.result != kube::apply_outcome::unchanged);
    });
    const std::set<std::string> none;  // named: no temporaries in a co_await (g++ 12)
    if (auto r = co_await resolve(definitions, outcomes, none); !r) co_return r.error();
    if (writes) {
      // Everything of the commit is decided before its first write; what lies in a Namespace
      // this commit creates cannot exist yet.
      std::set<std::string> new_namespaces;
      for (std::size_t i = 0; i < definitions.size(); ++i)
        if (definitions[i]->ref.gvk.kind == "Namespace" && definitions[i]->ref.gvk.group.empty() &&
            dry_run_says_new(outcomes[i]))
          new_namespaces.insert(definitions[i]->ref.name);
      const std::vector<outcome> unchecked;
      if (auto r = co_await resolve(rest, unchecked, new_namespaces); !r) co_return r.error();
    }
    if (any_failed(outcomes)) co_return make_error(category::code(apply_errc::invalid), failure_list(outcomes, definitions));
    if (writes && !co_await announce()) co_return not_announced();
    if (auto r = co_await apply_changed(client, definitions, outcomes, settings, changes); !r) co_return r.error();
    for (const auto* o : definitions) {
      if (o->ref.gvk.kind != "CustomResourceDefinition") continue;
      if (!co_await crd_established(client, o->ref, settings.crd_established_timeout))
        co_return make_error(category::code(apply_errc::crd_not_established),
                             fmt::format("{} ({}) is not Established after {}s", o->ref.display(), o->origin,
                                         settings.crd_established_timeout.count()));
    }
  }
  // Then everything else, validated as a whole before any of it is written; classes first.
  if (!rest.empty()) {
    auto outcomes = co_await dry_run(client, rest, settings, known);
    const std::set<std::string> none;
    if (auto r = co_await resolve(rest, outcomes, none); !r) co_return r.error();
    if (any_failed(outcomes)) co_return make_error(category::code(apply_errc::invalid), failure_list(outcomes, rest));
    if (!co_await announce()) co_return not_announced();
    for (auto stage : {apply_stage::classes, apply_stage::workloads}) {
      std::vector<const planned_object*> objects;
      std::vector<outcome> stage_outcomes;
      for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i]->stage != stage) continue;
        objects.push_back(rest[i]);
        stage_outcomes.push_back(outcomes[i]);
      }
      if (auto r = co_await apply_changed(client, objects, stage_outcomes, settings, changes); !r) co_return r.error();
    }
  }
  if (claimed != nullptr) changes.adopted = static_cast<int>(claimed->adopted.size());
  co_return changes;
}

}  // namespace gitopsd::sync
