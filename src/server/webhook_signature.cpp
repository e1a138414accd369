#include "gitopsd/server/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace gitopsd::server {
namespace {

using digest = std::array<unsigned char, 32>;

digest hmac_sha256(std::string_view token, std::string_view body) {
  digest out{};
  unsigned int length = 0;
  // An empty key is legal for HMAC; OpenSSL wants a non-null pointer for it.
  static const unsigned char no_key = 0;
  const void* key = token.empty() ? static_cast<const void*>(&no_key) : static_cast<const void*>(token.data());
  HMAC(EVP_sha256(), key, static_cast<int>(token.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
       out.data(), &length);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// 64 hex digits => 32 bytes; anything else => nullopt (a malformed header is simply not valid).
std::optional<digest> parse_hex(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  digest out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    int high = hex_value(text[2 * i]), low = hex_value(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return out;
}

bool matches(const digest& expected, std::string_view header, std::string_view prefix) {
  if (!header.starts_with(prefix)) return false;
  auto given = parse_hex(header.substr(prefix.size()));
  if (!given) return false;
  return CRYPTO_memcmp(expected.data(), given->data(), expected.size()) == 0;
}

digest sha256(std::string_view text) {
  digest out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

const char* to_string(webhook_provider p) {
  switch (p) {
    case webhook_provider::none: return "none";
    case webhook_provider::github: return "github";
    case webhook_provider::forgejo: return "forgejo";
    case webhook_provider::gitea: return "gitea";
    case webhook_provider::bitbucket_server: return "bitbucket-server";
    case webhook_provider::gitlab: return "gitlab";
  }
  return "unknown";
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Hashing first gives both sides one length, so the comparison does not stop at a length mismatch.
  digest ha = sha256(a), hb = sha256(b);
  return CRYPTO_memcmp(ha.data(), hb.data(), ha.size()) == 0 && a.size() == b.size();
}

std::string hmac_sha256_hex(std::string_view token, std::string_view body) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : hmac_sha256(token, body)) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xf]);
  }
  return out;
}

signature_check verify_signature(const signature_headers& h, std::string_view body, std::string_view token) {
  const digest expected = hmac_sha256(token, body);
  if (h.hub_signature_256) return {webhook_provider::github, matches(expected, *h.hub_signature_256, "sha256=")};
  if (h.forgejo_signature) return {webhook_provider::forgejo, matches(expected, *h.forgejo_signature, "")};
  if (h.gitea_signature) return {webhook_provider::gitea, matches(expected, *h.gitea_signature, "")};
  if (h.hub_signature) return {webhook_provider::bitbucket_server, matches(expected, *h.hub_signature, "sha256=")};
  // An empty token never authenticates (a Secret with an empty `token` is not a credential).
  if (h.gitlab_token) return {webhook_provider::gitlab, constant_time_equal(*h.gitlab_token, token) && !token.empty()};
  return {};
}

}  // namespace gitopsd::server
