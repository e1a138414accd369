#pragma once
// When to try a failed request again and how long to wait first. Pure: the caller supplies the
// random number, so tests are exact.

#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace gitopsd::kube {

struct retry_policy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
  double factor = 2.0;
  double jitter = 0.2;  // +- this fraction of the backoff
  std::chrono::seconds max_retry_after{60};  // a server asking for more is capped
};

// `attempts` is how many were made so far (>= 1). Returns the delay before the next attempt or
// nullopt to give up: the failure is not retriable (see is_retriable) or attempts are used up.
// A server's Retry-After is honoured (capped) in place of the computed backoff when longer.
// `random01` is uniform in [0, 1).
std::optional<std::chrono::milliseconds> next_retry(const retry_policy& policy, int attempts,
                                                   const boost::system::error_code& failure,
                                                   std::optional<std::chrono::seconds> retry_after,
                                                   double random01);

// Whether a request that failed this way may be sent again. An answer lost on the way (a reset
// connection, a timeout) or a 5xx leaves open whether the server acted, so a POST (create) is
// sent again only when it never left (connect_failed) or was refused before handling (429): its
// retry would report AlreadyExists for its own object. Other methods may be sent again: the
// PATCHes we send are idempotent or carry a precondition, a repeated DELETE finds the object gone.
bool may_resend(std::string_view method, const boost::system::error_code& failure);

}  // namespace gitopsd::kube
