#include "gitopsd/server/source_rate_limiter.hpp"

#include <algorithm>

namespace gitopsd::server {

source_rate_limiter::source_rate_limiter(double per_second, double burst, std::size_t max_sources)
    : per_second_(per_second), burst_(std::max(1.0, burst)), max_sources_(std::max<std::size_t>(1, max_sources)) {}

bool source_rate_limiter::allow(const std::string& source, clock::time_point now) {
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) {
      auto oldest = std::min_element(buckets_.begin(), buckets_.end(),
                                     [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
      buckets_.erase(oldest);
    }
    it = buckets_.emplace(source, bucket{burst_, now}).first;
  }
  bucket& b = it->second;
  if (now > b.last) {
    double elapsed = std::chrono::duration<double>(now - b.last).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
    b.last = now;
  }
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

}  // namespace gitopsd::server
