#pragma once
// The prune stage: delete what a GitRepository applied before and no longer declares, but only
// objects that still carry its labels and their own tracking id (decide_prune), not those marked
// gitopsd.io/prune: disabled, and never an adopted Namespace or CRD (orphaned instead).

#include "gitopsd/kube/client.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/awaitable.hpp>

#include <vector>

namespace gitopsd::sync {

struct prune_result {
  std::vector<object_ref> deleted;
  std::vector<object_ref> kept;  // not ours any more, or prune disabled
  std::vector<object_ref> orphaned;  // adopted Namespaces and CRDs: left in place, with a warning
};

// `stale` in deletion order (see stale_objects). Objects already gone count as neither.
boost::asio::awaitable<result<prune_result>> prune(kube::client& client, const owner& who,
                                                   const std::vector<object_ref>& stale, std::size_t in_flight);

}  // namespace gitopsd::sync
