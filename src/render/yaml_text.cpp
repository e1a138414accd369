#include "yaml_text.hpp"

#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace gitopsd::render::detail {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0; `consumed` is the ill-formed prefix to
// replace otherwise (Unicode's "maximal subpart", which is what kubectl's decoding produces).
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::size_t& consumed) {
  auto c = static_cast<unsigned char>(text[i]);
  consumed = 1;
  if (c < 0x80) return 1;
  std::size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len == 0) return 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c == 0xe0) lo = 0xa0;
  if (c == 0xed) hi = 0x9f;
  if (c == 0xf0) lo = 0x90;
  if (c == 0xf4) hi = 0x8f;
  for (std::size_t j = 1; j < len; ++j) {
    if (i + j >= text.size()) return 0;
    auto cc = static_cast<unsigned char>(text[i + j]);
    if (cc < (j == 1 ? lo : 0x80) || cc > (j == 1 ? hi : 0xbf)) return 0;
    consumed = j + 1;
  }
  return len;
}

// Invalid UTF-8 becomes U+FFFD, as kubectl's decoding turns it into.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      i += consumed;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// UTF-16 after its byte order mark; unpaired surrogates and a lone last byte become U+FFFD.
std::string from_utf16(std::string_view text, bool big_endian) {
  std::string out;
  out.reserve(text.size());
  auto unit = [&](std::size_t i) {
    auto a = static_cast<unsigned char>(text[i]), b = static_cast<unsigned char>(text[i + 1]);
    return static_cast<std::uint32_t>(big_endian ? (a << 8) | b : (b << 8) | a);
  };
  std::size_t i = 0;
  for (; i + 1 < text.size(); i += 2) {
    std::uint32_t u = unit(i);
    if (u >= 0xd800 && u < 0xdc00 && i + 3 < text.size()) {
      std::uint32_t low = unit(i + 2);
      if (low >= 0xdc00 && low < 0xe000) {
        append_utf8(out, 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, u >= 0xd800 && u < 0xe000 ? 0xfffd : u);
  }
  if (i < text.size()) append_utf8(out, 0xfffd);
  return out;
}

// Files saved as UTF-16 without a byte order mark: ASCII characters with a zero byte beside each.
bool looks_like_utf16(std::string_view text) {
  std::size_t zeros = 0, n = std::min<std::size_t>(text.size(), 64);
  for (std::size_t i = 0; i < n; ++i) zeros += text[i] == '\0' ? 1 : 0;
  return n >= 4 && zeros * 3 >= n;
}

bool escaped_name_char(std::uint32_t cp) {
  return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::uint32_t code_point(std::string_view text, std::size_t i, std::size_t len) {
  std::uint32_t cp = static_cast<unsigned char>(text[i]);
  if (len > 1) {
    cp &= len == 2 ? 0x1fu : len == 3 ? 0x0fu : 0x07u;
    for (std::size_t j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(text[i + j]) & 0x3fu);
  }
  return cp;
}

}  // namespace

std::optional<std::string> utf8_text(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) {
    text.remove_prefix(3);
    return is_valid_utf8(text) ? std::string(text) : valid_utf8(text);
  }
  if (text.starts_with("\xFF\xFE")) return from_utf16(text.substr(2), false);
  if (text.starts_with("\xFE\xFF")) return from_utf16(text.substr(2), true);
  if (is_valid_utf8(text)) return std::nullopt;
  return valid_utf8(text);
}

std::string go_json_string(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(bytes, i, consumed);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(bytes.substr(i, len));
      i += len;
    }
  }
  return out;
}

void repair_escaped_bytes(std::string& text) {
  if (is_valid_utf8(text)) return;
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    if (len == 0) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c == 0x85 || c == 0xa0) out += '\xC2';
      out += text[i];
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  text = std::move(out);
}

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0, chars = 0, padding = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r') continue;
    int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26 : c >= '0' && c <= '9' ? c - '0' + 52
            : c == '+' ? 62 : c == '/' ? 63 : c == '=' ? -2 : -1;
    if (v == -1) return std::nullopt;
    ++chars;
    if (v == -2) {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after padding
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if (chars % 4 != 0 || padding > 2) return std::nullopt;
  // Padding must fill exactly the last quantum: "a===" and "aa=" are refused.
  if ((padding == 1 && (chars - padding) % 4 != 3) || (padding == 2 && (chars - padding) % 4 != 2)) return std::nullopt;
  return out;
}

// go-yaml refuses control characters: only tab, line breaks and printable characters may appear.
std::optional<error> check_characters(std::string_view text, std::string_view file) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    std::uint32_t cp = code_point(text, i, len);
    bool printable = cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
                     (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!printable) {
      const char* hint = cp == 0 && looks_like_utf16(text)
                             ? " (the file looks like UTF-16 without a byte order mark: save it as UTF-8)"
                             : "";
      return make_error(errc::invalid_yaml,
                        fmt::format("{}:{}:{}: control characters are not allowed{}", file, line, column, hint));
    }
    if (cp == 0x0a) ++line, column = 1;
    else ++column;
    i += len == 0 ? 1 : len;
  }
  return std::nullopt;
}


}  // namespace gitopsd::render::detail

namespace gitopsd::render {

std::string printable_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) {
    std::size_t consumed = 0;
    std::size_t len = detail::utf8_sequence(name, i, consumed);
    std::uint32_t cp = len == 0 ? 0x80 : detail::code_point(name, i, len);
    if (len == 0 || detail::escaped_name_char(cp)) {
      for (std::size_t j = 0; j < (len == 0 ? 1 : len); ++j)
        out += fmt::format("\\x{:02x}", static_cast<unsigned char>(name[i + j]));
      i += len == 0 ? 1 : len;
    } else {
      out.append(name, i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace gitopsd::render
