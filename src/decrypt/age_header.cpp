#include "age_header.hpp"

#include "age_base64.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::decrypt::detail {
namespace {

constexpr std::string_view version_line = "age-encryption.org/v1";
constexpr std::size_t columns = 64;
constexpr std::size_t bytes_per_line = columns / 4 * 3;

error malformed(std::size_t line, std::string_view why) {
  return make_error(errc::malformed, fmt::format("age header line {}: {}", line, why));
}

// Splits at single spaces; empty parts are kept so that double spaces are caught.
std::vector<std::string_view> split_args(std::string_view line) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    auto space = line.find(' ', start);
    parts.push_back(line.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
    if (space == std::string_view::npos) return parts;
    start = space + 1;
  }
}

bool valid_arg(std::string_view a) {
  if (a.empty()) return false;
  for (char c : a)
    if (c < 33 || c > 126) return false;
  return true;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// Reads the header line by line, never past max_header_size.
class line_reader {
 public:
  explicit line_reader(std::string_view file) : file_(file) {}
  // The next line without its '\n'; an error when the header ends or grows too large first.
  result<std::string_view> next() {
    ++number_;
    auto limit = std::min(file_.size(), max_header_size);
    auto end = pos_ < limit ? file_.substr(0, limit).find('\n', pos_) : std::string_view::npos;
    if (end == std::string_view::npos) {
      if (file_.size() > max_header_size) return malformed(number_, "header is larger than 64 KiB");
      return malformed(number_, "file ends inside the header (no MAC line)");
    }
    line_start_ = pos_;
    auto line = file_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return line;
  }
  [[nodiscard]] std::size_t number() const { return number_; }
  [[nodiscard]] std::size_t line_start() const { return line_start_; }
  [[nodiscard]] std::size_t position() const { return pos_; }

 private:
  std::string_view file_;
  std::size_t pos_ = 0;
  std::size_t line_start_ = 0;
  std::size_t number_ = 0;
};

result<std::string> read_body(line_reader& lines) {
  std::string body;
  while (true) {
    auto line = lines.next();
    if (!line) return line.error();
    if (line->size() > columns) return malformed(lines.number(), "stanza body line is longer than 64 columns");
    auto bytes = base64_decode(*line, false);
    if (!bytes) {
      if (starts_with(*line, "---") || starts_with(*line, "->"))
        return malformed(lines.number(), "stanza body does not end with a line shorter than 64 columns");
      return malformed(lines.number(), "stanza body is not canonical unpadded base64");
    }
    body += *bytes;
    if (bytes->size() < bytes_per_line) return body;
  }
}

}  // namespace

result<header> parse_header(std::string_view file) {
  if (file.empty()) return malformed(1, "file is empty");
  line_reader lines(file);
  auto first = lines.next();
  if (!first) return first.error();
  if (*first != version_line) return malformed(1, "not an age v1 file (bad version line)");

  header out;
  while (true) {
    auto line = lines.next();
    if (!line) return line.error();
    if (starts_with(*line, "---")) {
      auto parts = split_args(*line);
      if (parts.size() != 2 || parts[0] != "---") return malformed(lines.number(), "malformed MAC line");
      auto mac = base64_decode(parts[1], false);
      if (!mac || mac->size() != 32) return malformed(lines.number(), "MAC is not 32 bytes of canonical base64");
      out.mac = std::move(*mac);
      out.mac_input_size = lines.line_start() + 3;
      out.payload_offset = lines.position();
      return out;
    }
    if (!starts_with(*line, "->")) return malformed(lines.number(), "neither a stanza nor the MAC line");
    auto parts = split_args(*line);
    if (parts[0] != "->" || parts.size() < 2) return malformed(lines.number(), "malformed stanza line");
    for (std::size_t i = 1; i < parts.size(); ++i)
      if (!valid_arg(parts[i])) return malformed(lines.number(), "malformed stanza argument");
    if (out.stanzas.size() == max_stanzas) return malformed(lines.number(), "more than 100 stanzas");
    stanza s;
    s.type = std::string(parts[1]);
    for (std::size_t i = 2; i < parts.size(); ++i) s.args.emplace_back(parts[i]);
    auto body = read_body(lines);
    if (!body) return body.error();
    s.body = std::move(*body);
    out.stanzas.push_back(std::move(s));
  }
}

std::string format_header(const std::vector<stanza>& stanzas) {
  std::string out(version_line);
  out += '\n';
  for (const auto& s : stanzas) {
    out += "-> " + s.type;
    for (const auto& a : s.args) out += " " + a;
    out += '\n';
    auto text = base64_encode(s.body, false);
    // Full lines of 64 columns, then a shorter (possibly empty) last line.
    std::size_t pos = 0;
    for (; pos + columns <= text.size(); pos += columns) out.append(text, pos, columns) += '\n';
    out.append(text, pos) += '\n';
  }
  out += "---";
  return out;
}

}  // namespace gitopsd::decrypt::detail
