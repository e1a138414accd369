#include "gitopsd/sync/apply.hpp"

#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include <optional>

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
boost::system::error_code code(apply_errc e) { return {static_cast<int>(e), category::instance()}; }

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
asio::awaitable<std::vector<outcome>> dry_run(kube::client& client, const std::vector<const planned_object*>& objects,
                                              std::size_t in_flight) {
  std::vector<outcome> outcomes(objects.size());
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    kube::apply_options options;
    options.dry_run = true;
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
  co_await for_each_bounded(objects.size(), in_flight, work);
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
    if (outcomes[i].result != kube::apply_outcome::created) options.previous_resource_version = outcomes[i].resource_version;
    auto r = co_await client.apply(objects[i]->object, options);
    if (!r) {
      outcomes[i].failure = r.error();
      co_return;
    }
    outcomes[i].result = r->outcome;
  };
  co_await for_each_bounded(pending.size(), settings.in_flight, work);
  for (std::size_t i : pending) {
    if (outcomes[i].failure) continue;
    if (outcomes[i].result == kube::apply_outcome::created) ++changes.created;
    else if (outcomes[i].result == kube::apply_outcome::configured) ++changes.configured;
    else ++changes.unchanged;
    if (outcomes[i].result != kube::apply_outcome::unchanged) changes.applied.push_back(objects[i]->ref);
  }
  if (any_failed(outcomes)) co_return make_error(code(apply_errc::failed), failure_list(outcomes, objects));
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
    auto outcomes = co_await dry_run(client, definitions, settings.in_flight);
    if (any_failed(outcomes)) co_return make_error(code(apply_errc::invalid), failure_list(outcomes, definitions));
    if (auto r = co_await apply_changed(client, definitions, outcomes, settings, changes); !r) co_return r.error();
    for (const auto* o : definitions) {
      if (o->ref.gvk.kind != "CustomResourceDefinition") continue;
      if (!co_await crd_established(client, o->ref, settings.crd_established_timeout))
        co_return make_error(code(apply_errc::crd_not_established),
                             fmt::format("{} ({}) is not Established after {}s", o->ref.display(), o->origin,
                                         settings.crd_established_timeout.count()));
    }
  }
  // Then everything else, validated as a whole before any of it is written; classes first.
  auto rest = select(plan, false);
  if (rest.empty()) co_return changes;
  auto outcomes = co_await dry_run(client, rest, settings.in_flight);
  if (any_failed(outcomes)) co_return make_error(code(apply_errc::invalid), failure_list(outcomes, rest));
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
