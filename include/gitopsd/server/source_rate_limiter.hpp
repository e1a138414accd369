#pragma once
// A token bucket per source address (requests per second with a burst), bounded in memory: a pure
// state machine, time passed in. When `max_sources` addresses are tracked, the one seen least
// recently is forgotten (so a flood from many addresses cannot lock out a new, honest one).

#include <chrono>
#include <map>
#include <string>

namespace gitopsd::server {

class source_rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  source_rate_limiter(double per_second, double burst, std::size_t max_sources);

  // Takes a token for `source` if it has one.
  bool allow(const std::string& source, clock::time_point now);
  [[nodiscard]] std::size_t tracked() const { return buckets_.size(); }

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point last{};
  };
  double per_second_;
  double burst_;
  std::size_t max_sources_;
  std::map<std::string, bucket> buckets_;
};

}  // namespace gitopsd::server
