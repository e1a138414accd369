#include "yaml_quote.hpp"

#include <cstdint>

namespace gitopsd::render::detail {
namespace {

// The code point at `i` and its length; 0xFFFD and 1 for a byte that does not start valid UTF-8.
std::uint32_t next(std::string_view s, std::size_t i, std::size_t& len) {
  auto byte = [&](std::size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned b = byte(i);
  len = 1;
  if (b < 0x80) return b;
  std::size_t n = b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
  if (n == 0) return 0xfffd;
  std::uint32_t cp = b & (0x7f >> n);
  for (std::size_t k = 1; k < n; ++k) {
    unsigned c = byte(i + k);
    if ((c & 0xc0) != 0x80) return 0xfffd;
    cp = (cp << 6) | (c & 0x3f);
  }
  bool overlong = (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 0xfffd;
  len = n;
  return cp;
}

bool noncharacter(std::uint32_t cp) { return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe; }

}  // namespace

bool has_noncharacter(std::string_view s) {
  for (std::size_t i = 0, len = 0; i < s.size(); i += len)
    if (noncharacter(next(s, i, len))) return true;
  return false;
}

std::string double_quoted(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) {
    std::uint32_t cp = next(s, i, len);
    switch (cp) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\t': out += "\\t"; continue;
      case '\r': out += "\\r"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (cp >= 0x20 && cp <= 0x7e) {
      out += static_cast<char>(cp);
      continue;
    }
    int digits = cp < 0xff ? 2 : cp < 0xffff ? 4 : 8;
    out += digits == 2 ? "\\x" : digits == 4 ? "\\u" : "\\U";
    for (int d = digits - 1; d >= 0; --d) out += hex[(cp >> (4 * d)) & 0xf];
  }
  out += '"';
  return out;
}

}  // namespace gitopsd::render::detail
