#include "gitopsd/git/known_hosts.hpp"

#include "gitopsd/core/base64.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

namespace gitopsd::git {
namespace {

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// Malformed base64 yields an empty key, which matches nothing.
std::string decode(std::string_view in) {
  auto decoded = gitopsd::base64_decode(in);
  return decoded ? *decoded : std::string();
}

// Glob with * and ?, case-insensitive (host names).
bool glob(std::string_view pat, std::string_view s) {
  if (pat.empty()) return s.empty();
  if (pat.front() == '*') {
    for (std::size_t i = 0; i <= s.size(); ++i)
      if (glob(pat.substr(1), s.substr(i))) return true;
    return false;
  }
  if (s.empty()) return false;
  if (pat.front() != '?' && std::tolower(static_cast<unsigned char>(pat.front())) !=
                                std::tolower(static_cast<unsigned char>(s.front())))
    return false;
  return glob(pat.substr(1), s.substr(1));
}

bool hashed_match(std::string_view pattern, std::string_view name) {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  auto rest = pattern.substr(3);
  auto bar = rest.find('|');
  if (bar == std::string_view::npos) return false;
  std::string salt = decode(rest.substr(0, bar));
  std::string want = decode(rest.substr(bar + 1));
  if (salt.empty() || want.size() != 20) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()), reinterpret_cast<const unsigned char*>(name.data()),
       name.size(), mac, &len);
  return len == 20 && std::equal(want.begin(), want.end(), reinterpret_cast<const char*>(mac));
}

// Does one entry's pattern list name this host? A matching negated pattern excludes it.
bool names_host(const known_host& h, std::string_view name) {
  bool hit = false;
  for (const auto& p : h.patterns) {
    std::string_view pat = p;
    bool negate = !pat.empty() && pat.front() == '!';
    if (negate) pat.remove_prefix(1);
    bool m = pat.starts_with("|1|") ? hashed_match(pat, name) : glob(pat, name);
    if (m && negate) return false;
    hit = hit || m;
  }
  return hit;
}

}  // namespace

std::vector<known_host> parse_known_hosts(std::string_view text) {
  std::vector<known_host> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    start = end == std::string_view::npos ? text.size() : end + 1;
    auto f = fields(line);
    if (f.empty() || f[0].front() == '#') continue;
    known_host h;
    if (f[0].front() == '@') {
      if (f[0] == "@revoked")
        h.revoked = true;
      else
        continue;  // @cert-authority and unknown markers
      f.erase(f.begin());
    }
    if (f.size() < 3) continue;
    std::string_view pats = f[0];
    std::size_t p = 0;
    while (p <= pats.size()) {
      auto comma = pats.find(',', p);
      auto pat = pats.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p);
      if (!pat.empty()) h.patterns.emplace_back(pat);
      if (comma == std::string_view::npos) break;
      p = comma + 1;
    }
    h.key_type = std::string(f[1]);
    h.key = decode(f[2]);
    if (h.key.empty() || key_blob_type(h.key) != h.key_type) continue;
    out.push_back(std::move(h));
  }
  return out;
}

std::string key_blob_type(std::string_view blob) {
  if (blob.size() < 4) return {};
  std::uint32_t n = (static_cast<unsigned char>(blob[0]) << 24) | (static_cast<unsigned char>(blob[1]) << 16) |
                    (static_cast<unsigned char>(blob[2]) << 8) | static_cast<unsigned char>(blob[3]);
  if (n == 0 || n > blob.size() - 4) return {};
  return std::string(blob.substr(4, n));
}

host_key_verdict check_host_key(const std::vector<known_host>& hosts, std::string_view host, int port,
                                std::string_view key) {
  // ssh writes non-default ports as "[host]:port".
  std::string name = port == 22 || port == 0 ? std::string(host) : "[" + std::string(host) + "]:" + std::to_string(port);
  const std::string type = key_blob_type(key);
  bool same_type_other_key = false, match = false;
  for (const auto& h : hosts) {
    if (!names_host(h, name)) continue;
    if (h.key == key) {
      if (h.revoked) return host_key_verdict::revoked;
      match = true;
    } else if (!h.revoked && h.key_type == type) {
      same_type_other_key = true;
    }
  }
  if (match) return host_key_verdict::match;
  return same_type_other_key ? host_key_verdict::mismatch : host_key_verdict::unknown;
}

std::string fingerprint_sha256(std::string_view blob) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(), digest);
  std::string b64 = gitopsd::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

}  // namespace gitopsd::git
