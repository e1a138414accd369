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

// The owner's objects as the cluster has them, by reference.
struct live_objects {
  std::vector<rapidjson::Document> lists;
  std::map<object_ref, const rapidjson::Value*> by_ref;
  std::set<std::pair<group_version_kind, std::string>> listed;  // kind and namespace
};

// One LIST per kind and namespace of `objects`, by the owner's labels. A kind that cannot be
// listed (no list permission, not served yet) is left out: its objects are read one by one.
asio::awaitable<live_objects> list_live(kube::client& client, const std::vector<const planned_object*>& objects,
                                        const owner& who, std::size_t in_flight) {
  live_objects live;
  if (who.name.empty()) co_return live;
  std::vector<std::pair<group_version_kind, std::string>> groups;
  for (const auto* o : objects) groups.emplace_back(o->ref.gvk, o->ref.namespace_);
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  live.lists.resize(groups.size());
  kube::list_options options;
  options.label_selector = owner_selector(who);
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    auto r = co_await client.list(groups[i].first, groups[i].second, options);
    if (!r) {
      log::debug("list failed, reading each object instead",
                 {{"kind", groups[i].first.kind}, {"namespace", groups[i].second}, {"error", r.error().what()}});
      co_return;
    }
    live.lists[i] = std::move(*r);
  };
  co_await for_each_bounded(groups.size(), in_flight, work);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto* items = json::find(live.lists[i], "items");  // absent where the LIST failed
    if (items == nullptr || !items->IsArray()) continue;
    for (const auto& item : items->GetArray()) {
      object_ref ref{groups[i].first, groups[i].second,
                     std::string(json::get_string(item, "metadata", "name").value_or(""))};
      live.by_ref.emplace(std::move(ref), &item);
    }
    // A listed kind's objects missing from its list are absent, or not labelled as ours yet.
    live.listed.insert(groups[i]);
  }
  co_return live;
}

// Dry-runs every object of `objects`, collecting every failure.
asio::awaitable<std::vector<outcome>> dry_run(kube::client& client, const std::vector<const planned_object*>& objects,
                                              const apply_settings& settings) {
  std::vector<outcome> outcomes(objects.size());
  auto started = std::chrono::steady_clock::now();
  auto live = co_await list_live(client, objects, settings.who, settings.in_flight);
  double list_seconds = seconds_since(started);
  auto checking = std::chrono::steady_clock::now();
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    kube::apply_options options;
    options.dry_run = true;
    // Server-side apply refuses unknown fields at any validation level and the renderer refuses
    // duplicate keys, so the server's strict check would only parse every body a second time.
    options.validation = kube::field_validation::ignore;
    const object_ref& ref = objects[i]->ref;
    if (auto it = live.by_ref.find(ref); it != live.by_ref.end()) options.previous_object = it->second;
    // Absent from a list of our objects: new (the answer says 201), or someone else's object that
    // taking over changes (at least our labels), so nothing needs reading.
    else if (live.listed.contains({ref.gvk, ref.namespace_})) options.detect_unchanged = false;
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
  log::debug("dry run", {{"objects", objects.size()}, {"listed", live.by_ref.size()}, {"list_seconds", list_seconds},
                         {"dry_run_seconds", seconds_since(checking)}});
  co_return outcomes;
}

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

asio::awaitable<result<change_set>> apply_plan(kube::client& client, const std::vector<planned_object>& plan,
                                               const apply_settings& settings) {
  change_set changes;
  // First CRDs, Namespaces and ClusterRoles: objects of new kinds and in new namespaces can only
  // be checked once these exist.
  auto definitions = select(plan, true);
  if (!definitions.empty()) {
    auto outcomes = co_await dry_run(client, definitions, settings);
    if (any_failed(outcomes)) co_return make_error(category::code(apply_errc::invalid), failure_list(outcomes, definitions));
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
  auto rest = select(plan, false);
  if (rest.empty()) co_return changes;
  auto outcomes = co_await dry_run(client, rest, settings);
  if (any_failed(outcomes)) co_return make_error(category::code(apply_errc::invalid), failure_list(outcomes, rest));
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
  co_return changes;
}

}  // namespace gitopsd::sync
