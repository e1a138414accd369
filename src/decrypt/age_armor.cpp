#include "age_armor.hpp"

#include "age_base64.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt::detail {
namespace {

constexpr std::string_view begin_line = "-----BEGIN AGE ENCRYPTED FILE-----";
constexpr std::string_view end_line = "-----END AGE ENCRYPTED FILE-----";
constexpr std::size_t columns = 64;
constexpr std::size_t bytes_per_line = columns / 4 * 3;
constexpr std::size_t max_whitespace = 1024;  // before the begin line and after the end line

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
bool all_space(std::string_view s) {
  for (char c : s)
    if (!is_space(c)) return false;
  return true;
}

error bad(std::size_t line, std::string_view why) {
  return make_error(errc::malformed, fmt::format("armor: {} on line {}", why, line));
}

class line_reader {
 public:
  explicit line_reader(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }
  // The next line without "\n" or "\r\n".
  std::string_view next() {
    ++number_;
    auto end = text_.find('\n', pos_);
    auto line = text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }
  [[nodiscard]] std::string_view rest() const { return text_.substr(pos_); }
  [[nodiscard]] std::size_t number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t number_ = 0;
};

}  // namespace

bool is_armored(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && i <= max_whitespace && is_space(text[i])) ++i;
  return text.substr(i, begin_line.size()) == begin_line;
}

result<std::string> dearmor(std::string_view text, std::size_t max_binary) {
  line_reader lines(text);
  std::size_t skipped = 0;
  while (true) {
    if (lines.done()) return bad(lines.number() + 1, "no begin line");
    auto line = lines.next();
    if (all_space(line)) {
      skipped += line.size() + 1;
      if (skipped > max_whitespace) return bad(lines.number(), "too much leading whitespace");
      continue;
    }
    if (line != begin_line) return bad(lines.number(), "unexpected first line");
    break;
  }
  std::string out;
  while (true) {
    if (lines.done()) return bad(lines.number() + 1, "no end line");
    auto line = lines.next();
    if (line == end_line) break;
    if (line.empty()) return bad(lines.number(), "empty line");
    if (line.size() > columns) return bad(lines.number(), "line longer than 64 columns");
    auto bytes = base64_decode(line, true);
    if (!bytes) return bad(lines.number(), "invalid base64");
    out += *bytes;
    if (out.size() > max_binary)
      return make_error(errc::too_large, "armor: the encrypted file is larger than its plaintext limit allows");
    if (bytes->size() < bytes_per_line) {
      if (lines.done()) return bad(lines.number() + 1, "no end line");
      if (lines.next() != end_line) return bad(lines.number(), "short line not followed by the end line");
      break;
    }
  }
  auto rest = lines.rest();
  if (!all_space(rest)) return bad(lines.number() + 1, "data after the end line");
  if (rest.size() >= max_whitespace) return bad(lines.number() + 1, "too much trailing whitespace");
  return out;
}

std::string armor(std::string_view binary) {
  auto text = base64_encode(binary, true);
  std::string out(begin_line);
  out += '\n';
  for (std::size_t pos = 0; pos < text.size(); pos += columns) out.append(text, pos, columns) += '\n';
  out += end_line;
  out += '\n';
  return out;
}

}  // namespace gitopsd::decrypt::detail
