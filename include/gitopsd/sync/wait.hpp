#pragma once
// The health stage (spec.wait): poll applied objects until all are Current, one Failed, or the
// timeout passes; the error names the objects that are not ready and why.

#include "gitopsd/kube/client.hpp"
#include "gitopsd/sync/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <vector>

namespace gitopsd::sync {

enum class wait_errc { not_ready = 1, failed };

boost::asio::awaitable<result<void>> wait_healthy(kube::client& client, const std::vector<object_ref>& objects,
                                                  std::chrono::steady_clock::time_point deadline, std::size_t in_flight,
                                                  const std::function<void(const std::string&)>& progress);

}  // namespace gitopsd::sync
