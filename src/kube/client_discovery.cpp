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
  // The API server answered 404 for the whole group/version.
  auto unserved = [&] { return make_error(errc::unknown_kind, fmt::format("{}: the API server does not serve {}", what, key)); };
  for (;;) {
    auto& entry = s->discovery[key];
    if (entry.fetched) {
      if (const resource_info* found = find_kind(entry.resources, gvk.kind)) co_return *found;
      if (refreshed)
        co_return make_error(errc::unknown_kind,
                             fmt::format("{}: the API server serves {} but no kind {} in it", what, key, gvk.kind));
    }
    if (entry.pending) {
      // Someone else is fetching this group/version: wait for them and take their answer.
      auto pending = entry.pending;
      if (!co_await pending->done.wait()) co_return make_error(errc::cancelled, what + ": cancelled");
      if (pending->unserved) co_return unserved();
      refreshed = true;
      continue;
    }
    // Missing or stale (a kind not found may be a CRD created a moment ago): fetch again.
    auto pending = std::make_shared<client::state::discovery_fetch>(s->executor);
    entry.pending = pending;
    // Waiters are released however this fetch ends, also when it is cancelled or throws; an entry
    // that was never filled is dropped then, or every failing group/version would stay remembered.
    struct release_waiters {
      client::state& s;
      const std::string& key;
      std::shared_ptr<client::state::discovery_fetch> fetch;
      ~release_waiters() {
        if (auto it = s.discovery.find(key); it != s.discovery.end() && it->second.pending == fetch) {
          it->second.pending.reset();
          if (!it->second.fetched) s.discovery.erase(it);
        }
        fetch->done.set();
      }
    };
    std::optional<release_waiters> releasing(std::in_place, *s, key, pending);
    auto r = co_await request("discovery", "GET", group_version_path(gvk.group, gvk.version), {}, {},
                              "application/json", what);
    // Only "not served" holds for every caller: a 403 of one impersonated tenant, a cancellation or
    // a transient failure says nothing about the others, who then fetch themselves.
    if (!r && r.error().code == errc::not_found) pending->unserved = true;
    auto resources = r ? parse_resource_list(r->body, gvk.group, gvk.version) : result<std::vector<resource_info>>(r.error());
    if (resources) {
      auto& fresh = s->discovery[key];
      fresh.resources = std::move(*resources);
      fresh.fetched = true;
    }
    releasing.reset();
    refreshed = true;
    if (!r) {
      // Nothing is remembered of a group/version the server does not serve: any text in Git can
      // name one, and remembering each would grow without bound.
      if (r.error().code == errc::not_found) {
        s->discovery.erase(key);
        co_return unserved();
      }
      co_return r.error();
    }
    if (!resources) co_return resources.error();
  }
}

}  // namespace gitopsd::kube
