#include "gitopsd/kube/retry.hpp"

#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/status.hpp"

#include <algorithm>
#include <cmath>

namespace gitopsd::kube {

std::optional<std::chrono::milliseconds> next_retry(const retry_policy& policy, int attempts,
                                                   const boost::system::error_code& failure,
                                                   std::optional<std::chrono::seconds> retry_after,
                                                   double random01) {
  if (!is_retriable(failure) || attempts >= policy.max_attempts) return std::nullopt;
  double base = static_cast<double>(policy.initial_backoff.count()) * std::pow(policy.factor, attempts - 1);
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double jittered = base * (1.0 + policy.jitter * (2.0 * random01 - 1.0));
  auto delay = std::chrono::milliseconds(static_cast<long long>(std::max(0.0, jittered)));
  if (retry_after) {
    auto asked = std::chrono::duration_cast<std::chrono::milliseconds>(std::min(*retry_after, policy.max_retry_after));
    delay = std::max(delay, asked);
  }
  return delay;
}

bool may_resend(std::string_view method, const boost::system::error_code& failure) {
  if (method != "POST") return true;
  // Only what says the server did not act: nothing sent, or 429 (refused before handling).
  return failure == make_error_code(errc::connect_failed) || failure == make_error_code(errc::too_many_requests);
}

}  // namespace gitopsd::kube
