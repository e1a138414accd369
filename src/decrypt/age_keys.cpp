#include "age_keys.hpp"

#include "gitopsd/decrypt/bech32.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::decrypt {

age_identity::~age_identity() { OPENSSL_cleanse(secret.data(), secret.size()); }

namespace detail {
namespace {

constexpr std::string_view recipient_hrp = "age";
constexpr std::string_view identity_hrp = "age-secret-key-";
constexpr std::size_t max_identities = 1000;

void wipe_bytes(std::vector<unsigned char>& v) {
  if (!v.empty()) OPENSSL_cleanse(v.data(), v.size());
}

}  // namespace

result<std::array<unsigned char, 32>> parse_recipient(std::string_view text) {
  auto decoded = bech32_decode(text);
  if (!decoded) return make_error(errc::invalid_recipient, fmt::format("age recipient: {}", decoded.error().message));
  // Lower case only, as age itself reads recipients.
  if (decoded->hrp != recipient_hrp || text.substr(0, 4) != "age1")
    return make_error(errc::invalid_recipient, "not an age X25519 recipient (age1...)");
  if (decoded->data.size() != 32) return make_error(errc::invalid_recipient, "age recipient is not 32 bytes");
  std::array<unsigned char, 32> out{};
  std::copy(decoded->data.begin(), decoded->data.end(), out.begin());
  return out;
}

std::string format_recipient(const std::array<unsigned char, 32>& point) {
  return bech32_encode(recipient_hrp, {point.begin(), point.end()}, false);
}

result<age_identity> identity_from_secret(const key32& secret) {
  auto point = x25519_public(secret);
  if (!point) return point.error();
  age_identity id;
  id.secret = secret.bytes;
  id.recipient = format_recipient(*point);
  return id;
}

}  // namespace detail

result<std::vector<age_identity>> parse_age_identities(std::string_view text, std::string_view source) {
  std::vector<age_identity> out;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++number;
    auto end = text.find('\n', pos);
    auto line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;

    auto fail = [&](std::string_view why) {
      return make_error(errc::invalid_identity, fmt::format("{} line {}: {}", source, number, why));
    };
    if (out.size() == detail::max_identities) return fail("more than 1000 identities");
    auto decoded = bech32_decode(line);
    if (!decoded) return fail(fmt::format("not an age identity ({})", decoded.error().message));
    detail::key32 secret;
    // Upper case only, as age itself reads identities.
    bool ok = line.substr(0, 16) == "AGE-SECRET-KEY-1" && decoded->hrp == detail::identity_hrp &&
              decoded->data.size() == secret.bytes.size();
    if (ok) std::copy(decoded->data.begin(), decoded->data.end(), secret.bytes.begin());
    detail::wipe_bytes(decoded->data);
    if (!ok) return fail("not an age X25519 identity (AGE-SECRET-KEY-1...)");
    auto id = detail::identity_from_secret(secret);
    if (!id) return fail(id.error().message);
    out.push_back(std::move(*id));
  }
  if (out.empty()) return make_error(errc::invalid_identity, fmt::format("{}: no age identity found", source));
  return out;
}

result<std::string> age_generate_identity() {
  detail::key32 secret;
  if (!detail::random_fill(secret.bytes.data(), secret.bytes.size()))
    return make_error(errc::internal, "random number generator failed");
  std::vector<unsigned char> data(secret.bytes.begin(), secret.bytes.end());
  auto text = bech32_encode(detail::identity_hrp, data, true);
  detail::wipe_bytes(data);
  return text;
}

}  // namespace gitopsd::decrypt
