#pragma once
// Ref listings remembered per URL and credentials, so that many GitRepository objects on one URL
// share one listing per interval instead of making one each.
//
// A listing is remembered under a digest of the credentials that obtained it: a request reuses
// only a listing made with exactly its own URL text and Secret data, so nobody learns refs through another's
// credentials. Only the digest is kept, no secret bytes.

#include "gitopsd/git/ref.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gitopsd::git {

using listing_clock = std::chrono::steady_clock;

// SHA-256 (hex) over a length-prefixed encoding of the URL exactly as given (it may hold a user
// name or token that the URL's cache key leaves out) and every Secret entry, in key order: the same
// URL text and Secret data, and only those, give equal digests.
std::string credentials_digest(const std::string& url_as_given, const std::map<std::string, std::string>& secret);

// Whether a listing that started at `started` may answer a request that wants none older than
// `not_before`. A listing started at the very instant counts: it saw everything before it.
bool may_reuse_listing(listing_clock::time_point started, listing_clock::time_point not_before);

struct remembered_listing {
  listing_clock::time_point started;
  std::shared_ptr<const std::vector<remote_ref>> refs;
};

// The listings of one URL, by credentials digest; not thread-safe (the URL's slot serializes).
class listing_cache {
 public:
  // At most this many credential sets and refs in all per URL; the oldest listing goes first, and
  // a listing larger than max_refs alone is not remembered (a listing is otherwise freed at once).
  static constexpr std::size_t max_entries = 16;
  static constexpr std::size_t max_refs = 50000;
  // The same for bytes: a hostile server's ref names may be long.
  static constexpr std::size_t max_bytes = 8u << 20;

  // The remembered listing for `digest` when it may answer a request with `not_before`.
  [[nodiscard]] const remembered_listing* find(const std::string& digest, listing_clock::time_point not_before) const;
  void remember(const std::string& digest, listing_clock::time_point started,
                std::shared_ptr<const std::vector<remote_ref>> refs);
  // A failed listing: what these credentials saw before is no longer trusted (they may have
  // been revoked).
  void forget(const std::string& digest);
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  std::map<std::string, remembered_listing> entries_;
};

}  // namespace gitopsd::git
