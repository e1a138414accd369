#pragma once
// The Git credentials Secrets reconciles read, kept briefly so that a fleet of GitRepositories
// sharing one Secret reads it once, not once each. Kept per reading identity: a ServiceAccount is
// never handed what only another identity could read. A read is reused under the rule of a shared
// ref listing (listing_not_before): an interval run takes one up to half its interval old, at most
// a minute; a run someone asked for (or a retry) only one made after that. Failed reads are not kept.

#include <chrono>
#include <compare>
#include <cstddef>
#include <map>
#include <memory>
#include <string>

namespace gitopsd::controller {

class secret_cache {
 public:
  using clock = std::chrono::steady_clock;
  using data = std::map<std::string, std::string>;
  struct key {
    std::string namespace_;
    std::string name;
    std::string account;  // the ServiceAccount read as; empty: the agent itself
    auto operator<=>(const key&) const = default;
  };

  // Up to a minute: the longest a ref listing is shared.
  explicit secret_cache(std::size_t max_entries = 256, clock::duration max_age = std::chrono::minutes(1));

  // The data read at or after `not_before` (and within max_age of `now`), if kept.
  [[nodiscard]] std::shared_ptr<const data> find(const key& k, clock::time_point not_before, clock::time_point now);
  void put(const key& k, std::shared_ptr<const data> d, clock::time_point read_at);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct entry {
    std::shared_ptr<const data> value;
    clock::time_point read_at;
  };
  void expire(clock::time_point now);

  std::size_t max_entries_;
  clock::duration max_age_;
  std::map<key, entry> entries_;
};

}  // namespace gitopsd::controller
