#include "gitopsd/controller/secret_cache.hpp"

#include <algorithm>

namespace gitopsd::controller {

secret_cache::secret_cache(std::size_t max_entries, clock::duration max_age) : max_entries_(max_entries), max_age_(max_age) {}

void secret_cache::expire(clock::time_point now) {
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.read_at >= max_age_; });
}

std::shared_ptr<const secret_cache::data> secret_cache::find(const key& k, clock::time_point not_before, clock::time_point now) {
  expire(now);
  auto it = entries_.find(k);
  if (it == entries_.end() || it->second.read_at < not_before) return nullptr;
  return it->second.value;
}

void secret_cache::put(const key& k, std::shared_ptr<const data> d, clock::time_point read_at) {
  if (max_entries_ == 0) return;
  expire(read_at);  // a deleted GitRepository's Secret goes with the next read of any
  if (!entries_.contains(k) && entries_.size() >= max_entries_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) { return a.second.read_at < b.second.read_at; });
    entries_.erase(oldest);
  }
  entries_[k] = {std::move(d), read_at};
}

}  // namespace gitopsd::controller
