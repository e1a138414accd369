#include "gitopsd/kube/rate_limiter.hpp"

#include <algorithm>

namespace gitopsd::kube {

token_bucket::token_bucket(double qps, int burst)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(std::max(1, burst)) {}

std::chrono::nanoseconds token_bucket::reserve(clock::time_point now) {
  if (qps_ <= 0) return std::chrono::nanoseconds(0);
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1.0;
  if (tokens_ >= 0) return std::chrono::nanoseconds(0);
  // Negative tokens are debts of earlier reservations; this one waits until its token is made.
  return std::chrono::nanoseconds(static_cast<long long>(-tokens_ / qps_ * 1e9));
}

}  // namespace gitopsd::kube
