#include "client_state.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/url.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace asio = boost::asio;

namespace gitopsd::kube {

task<resource_info> client::resource_for(group_version_kind gvk) {
  auto s = state_;
  std::string key = gvk.api_version();
  std::string what = fmt::format("discover kind {} in {}", gvk.kind, key);
  bool refreshed = false;
  for (;;) {
    auto& entry = s->discovery[key];
    if (entry.fetched) {
      if (const resource_info* found = find_kind(entry.resources, gvk.kind)) co_return *found;
      if (refreshed)
        co_return make_error(errc::unknown_kind,
                             entry.served ? fmt::format("{}: the API server serves {} but no kind {} in it", what, key,
                                                        gvk.kind)
                                          : fmt::format("{}: the API server does not serve {}", what, key));
    }
    if (entry.pending) {
      // Someone else is fetching this group/version: wait for them and look again.
      auto pending = entry.pending;
      co_await pending->async_wait(asio::as_tuple(asio::use_awaitable));
      auto cancel_state = co_await asio::this_coro::cancellation_state;
      if (cancel_state.cancelled() != asio::cancellation_type::none)
        co_return make_error(errc::cancelled, what + ": cancelled");
      refreshed = true;
      continue;
    }
    // Missing or stale (a kind not found may be a CRD created a moment ago): fetch again.
    auto pending = std::make_shared<asio::steady_timer>(s->executor, asio::steady_timer::time_point::max());
    entry.pending = pending;
    auto r = co_await request("discovery", "GET", group_version_path(gvk.group, gvk.version), {}, {},
                              "application/json", what);
    auto& fresh = s->discovery[key];  // the map may have grown; re-find
    fresh.pending.reset();
    pending->cancel();
    refreshed = true;
    if (!r) {
      if (r.error().code == errc::not_found) {
        fresh.fetched = true;
        fresh.served = false;
        fresh.resources.clear();
        continue;
      }
      co_return r.error();
    }
    auto resources = parse_resource_list(r->body, gvk.group, gvk.version);
    if (!resources) co_return resources.error();
    fresh.resources = std::move(*resources);
    fresh.fetched = true;
    fresh.served = true;
  }
}

}  // namespace gitopsd::kube
