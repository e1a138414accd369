#include "json_zero_exponent.hpp"

#include <algorithm>

namespace gitopsd::json::detail {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::string> zero_exponents_as_zero(std::string_view text) {
  std::optional<std::string> out;
  std::size_t depth = 0, i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
      if (depth == 0) break;
    } else if (c == '{' || c == '[') {
      ++depth, ++i;
    } else if (c == '}' || c == ']') {
      ++i;
      if (depth <= 1) break;
      --depth;
    } else if (c == '-' || digit(c)) {
      // A valid JSON number of value zero with an exponent, -?0(\.0+)?[eE][+-]?[0-9]+, or with a
      // fraction of more than 15 zeros. Anything else is left for RapidJSON to read or refuse.
      std::size_t start = i;
      bool minus = c == '-';
      if (minus) ++i;
      bool zero = i < text.size() && text[i] == '0' && !(i + 1 < text.size() && digit(text[i + 1]));
      for (; i < text.size() && digit(text[i]); ++i) {
      }
      std::size_t fraction = 0;
      if (zero && i < text.size() && text[i] == '.') {
        std::size_t first = ++i;
        for (; i < text.size() && text[i] == '0'; ++i) {
        }
        fraction = i - first;
        zero = i > first && !(i < text.size() && digit(text[i]));
      }
      bool exponent = false;
      if (zero && i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
        std::size_t first = i;
        for (; i < text.size() && digit(text[i]); ++i) {
        }
        exponent = i > first;
      }
      std::size_t end = i;
      for (; i < text.size() && (digit(text[i]) || text[i] == '.' || text[i] == 'e' || text[i] == 'E' ||
                                 text[i] == '+' || text[i] == '-');
           ++i) {
      }
      std::size_t length = i - start;
      std::string_view zero_text = minus ? "-0.0" : "0.0";
      // The shortest such token, `0e1` or `-0e1`, is as long as its replacement. RapidJSON reads
      // (and normalises) such a number also when more number characters follow (`0e5e5`) before it
      // refuses them: that token keeps an error (`0.0xx`), without the exponent.
      if (zero && (exponent || fraction > 15) && length >= zero_text.size()) {
        if (!out) out.emplace(text);
        char pad = i == end ? ' ' : 'x';
        out->replace(start, length, std::string(zero_text) + std::string(length - zero_text.size(), pad));
      }
      if (depth == 0) break;
    } else {
      ++i;
      if (depth == 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r') break;  // true, false, null
    }
  }
  if (out) out->resize(std::min(i, out->size()));  // the first value only: a stream's later ones are not copied
  return out;
}

}  // namespace gitopsd::json::detail
