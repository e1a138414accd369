#include "gitopsd/git/listing_cache.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>

namespace gitopsd::git {

namespace {

void put_sized(std::string& out, const std::string& text) {
  out += std::to_string(text.size());
  out += ':';
  out += text;
}

}  // namespace

std::string credentials_digest(const std::string& url_as_given, const std::map<std::string, std::string>& secret) {
  std::string encoded;
  put_sized(encoded, url_as_given);
  for (const auto& [key, value] : secret) {
    put_sized(encoded, key);
    put_sized(encoded, value);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size(), digest);
  // The encoding held the secret values: overwrite it before its memory is freed.
  OPENSSL_cleanse(encoded.data(), encoded.size());
  std::string hex;
  hex.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

bool may_reuse_listing(listing_clock::time_point started, listing_clock::time_point not_before) {
  return started >= not_before;
}

const remembered_listing* listing_cache::find(const std::string& digest, listing_clock::time_point not_before) const {
  auto it = entries_.find(digest);
  if (it == entries_.end() || !may_reuse_listing(it->second.started, not_before)) return nullptr;
  return &it->second;
}

void listing_cache::remember(const std::string& digest, listing_clock::time_point started,
                             std::shared_ptr<const std::vector<remote_ref>> refs) {
  if (!refs) return;
  auto bytes_of = [](const std::vector<remote_ref>& listing) {
    std::size_t n = 0;
    for (const auto& r : listing) n += sizeof(remote_ref) + r.name.size() + r.oid.size();
    return n;
  };
  if (refs->size() > max_refs || bytes_of(*refs) > max_bytes) {
    forget(digest);  // what came before is older still
    return;
  }
  auto& entry = entries_[digest];
  // A listing that started earlier than the one kept (requests of one URL run one after the other,
  // so this is only a clock oddity) must not replace a newer one.
  if (entry.refs && entry.started > started) return;
  entry = {started, std::move(refs)};
  auto total_refs = [this] {
    std::size_t n = 0;
    for (const auto& [key, kept] : entries_) n += kept.refs->size();
    return n;
  };
  auto total_bytes = [&] {
    std::size_t n = 0;
    for (const auto& [key, kept] : entries_) n += bytes_of(*kept.refs);
    return n;
  };
  while (entries_.size() > max_entries || total_refs() > max_refs || total_bytes() > max_bytes) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) { return a.second.started < b.second.started; });
    entries_.erase(oldest);
  }
}

void listing_cache::forget(const std::string& digest) { entries_.erase(digest); }

}  // namespace gitopsd::git
