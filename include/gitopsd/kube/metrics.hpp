#pragma once
// Request counts by verb and HTTP code (0: no response), for /metrics later.

#include <cstdint>
#include <map>
#include <string>
#include <utility>

namespace gitopsd::kube {

class request_metrics {
 public:
  using key = std::pair<std::string, long>;  // verb ("get", "list", "apply", ...), HTTP code
  void count(const std::string& verb, long code) { ++counts_[{verb, code}]; }
  void count_retry() { ++retries_; }
  [[nodiscard]] const std::map<key, std::uint64_t>& counts() const { return counts_; }
  [[nodiscard]] std::uint64_t total() const {
    std::uint64_t n = 0;
    for (const auto& [k, v] : counts_) n += v;
    return n;
  }
  [[nodiscard]] std::uint64_t retries() const { return retries_; }

 private:
  std::map<key, std::uint64_t> counts_;
  std::uint64_t retries_ = 0;
};

}  // namespace gitopsd::kube
