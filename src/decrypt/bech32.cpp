#include "gitopsd/decrypt/bech32.hpp"

#include "gitopsd/decrypt/errc.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstdint>

namespace gitopsd::decrypt {
namespace {

constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
constexpr std::size_t checksum_length = 6;
// Longer than any age key; bounds the work on hostile input.
constexpr std::size_t max_length = 1024;

std::uint32_t polymod(const std::vector<unsigned char>& values) {
  constexpr std::array<std::uint32_t, 5> generator{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  std::uint32_t chk = 1;
  for (unsigned char v : values) {
    std::uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (std::size_t i = 0; i < generator.size(); ++i)
      if ((top >> i) & 1) chk ^= generator[i];
  }
  return chk;
}

std::vector<unsigned char> hrp_expand(std::string_view hrp) {
  std::vector<unsigned char> out;
  out.reserve(hrp.size() * 2 + 1);
  for (char c : hrp) out.push_back(static_cast<unsigned char>(static_cast<unsigned char>(c) >> 5));
  out.push_back(0);
  for (char c : hrp) out.push_back(static_cast<unsigned char>(static_cast<unsigned char>(c) & 31));
  return out;
}

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

error bad(std::string_view why) { return make_error(errc::malformed, std::string("bech32: ") + std::string(why)); }

}  // namespace

std::string bech32_encode(std::string_view hrp, const std::vector<unsigned char>& data, bool upper) {
  std::vector<unsigned char> values;
  unsigned acc = 0;
  int bits = 0;
  for (unsigned char b : data) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      values.push_back(static_cast<unsigned char>((acc >> bits) & 31));
    }
  }
  if (bits > 0) values.push_back(static_cast<unsigned char>((acc << (5 - bits)) & 31));

  auto checked = hrp_expand(hrp);
  checked.insert(checked.end(), values.begin(), values.end());
  checked.insert(checked.end(), checksum_length, 0);
  std::uint32_t mod = polymod(checked) ^ 1;
  for (std::size_t i = 0; i < checksum_length; ++i)
    values.push_back(static_cast<unsigned char>((mod >> (5 * (5 - i))) & 31));

  std::string out(hrp);
  out += '1';
  for (unsigned char v : values) out += charset[v];
  if (upper)
    for (char& c : out) c = to_upper(c);
  return out;
}

result<bech32_data> bech32_decode(std::string_view text) {
  if (text.size() > max_length) return bad("too long");
  bool has_lower = false, has_upper = false;
  for (char c : text) {
    if (c < 33 || c > 126) return bad("invalid character");
    has_lower = has_lower || (c >= 'a' && c <= 'z');
    has_upper = has_upper || (c >= 'A' && c <= 'Z');
  }
  if (has_lower && has_upper) return bad("mixed case");
  auto sep = text.rfind('1');
  if (sep == std::string_view::npos || sep < 1 || sep + 1 + checksum_length > text.size())
    return bad("separator '1' missing or misplaced");

  bech32_data out;
  for (char c : text.substr(0, sep)) out.hrp += to_lower(c);
  std::vector<unsigned char> values;
  for (char c : text.substr(sep + 1)) {
    auto v = charset.find(to_lower(c));
    if (v == std::string_view::npos) return bad("invalid character in data part");
    values.push_back(static_cast<unsigned char>(v));
  }
  auto checked = hrp_expand(out.hrp);
  checked.insert(checked.end(), values.begin(), values.end());
  // The groups of an identity are secret: wipe the working copies on every way out.
  struct wiper {
    std::vector<unsigned char>& a;
    std::vector<unsigned char>& b;
    ~wiper() {
      if (!a.empty()) OPENSSL_cleanse(a.data(), a.size());
      if (!b.empty()) OPENSSL_cleanse(b.data(), b.size());
    }
  } wipe_groups{values, checked};
  if (polymod(checked) != 1) return bad("checksum does not match");

  unsigned acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i + checksum_length < values.size(); ++i) {
    acc = (acc << 5) | values[i];
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.data.push_back(static_cast<unsigned char>((acc >> bits) & 0xff));
    }
  }
  // Leftover bits must be fewer than 5 and zero (BIP 173 canonical padding).
  if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
    if (!out.data.empty()) OPENSSL_cleanse(out.data.data(), out.data.size());
    return bad("invalid padding");
  }
  return out;
}

}  // namespace gitopsd::decrypt
