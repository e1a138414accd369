#include "gitopsd/sync/prune.hpp"

#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/sync/plan.hpp"

#include <fmt/format.h>

#include <optional>

namespace gitopsd::sync {

namespace asio = boost::asio;

asio::awaitable<result<prune_result>> prune(kube::client& client, const owner& who, const std::vector<object_ref>& stale,
                                            std::size_t in_flight) {
  enum class fate { gone, deleted, kept, orphaned };
  std::vector<fate> fates(stale.size(), fate::gone);
  std::vector<std::optional<error>> failures(stale.size());
  // Workloads go before the Namespaces and CRDs they live in: one stage at a time.
  std::size_t begin = 0;
  while (begin < stale.size()) {
    std::size_t end = begin;
    while (end < stale.size() && stage_of(stale[end].gvk) == stage_of(stale[begin].gvk)) ++end;
    auto work = [&](std::size_t k) -> asio::awaitable<void> {
      std::size_t i = begin + k;
      const object_ref& ref = stale[i];
      auto live = co_await client.get(ref);
      if (!live) {
        if (live.error().code != kube::errc::not_found && live.error().code != kube::errc::unknown_kind)
          failures[i] = live.error();
        co_return;
      }
      auto verdict = decide_prune(*live, who, ref);
      if (verdict == prune_verdict::orphan_adopted) {
        fates[i] = fate::orphaned;
        co_return;
      }
      if (verdict != prune_verdict::remove) {
        fates[i] = fate::kept;
        co_return;
      }
      kube::delete_options options;
      options.policy = kube::propagation::background;
      options.precondition_uid = json::get_string(*live, "metadata", "uid").value_or("");
      auto r = co_await client.remove(ref, options);
      if (!r && r.error().code != kube::errc::not_found) failures[i] = r.error();
      else fates[i] = fate::deleted;
    };
    co_await for_each_bounded(end - begin, in_flight, work);
    begin = end;
  }
  prune_result out;
  std::string problems;
  for (std::size_t i = 0; i < stale.size(); ++i) {
    if (failures[i]) problems += fmt::format("{}{}: {}", problems.empty() ? "" : "; ", stale[i].display(), failures[i]->what());
    else if (fates[i] == fate::deleted) out.deleted.push_back(stale[i]);
    else if (fates[i] == fate::kept) out.kept.push_back(stale[i]);
    else if (fates[i] == fate::orphaned) {
      log::warn("adopted object left in place, not pruned", {{"object", stale[i].display()}});
      out.orphaned.push_back(stale[i]);
    }
  }
  if (!problems.empty()) {
    // The code of the first failure, but Forbidden when any was: deletion acts on that one.
    boost::system::error_code code;
    for (const auto& f : failures)
      if (f && (!code || f->code == kube::errc::forbidden)) code = f->code;
    co_return make_error(code, problems);
  }
  co_return out;
}

}  // namespace gitopsd::sync
