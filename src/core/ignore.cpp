#include "gitopsd/core/ignore.hpp"

#include <cstdint>
#include <optional>

namespace gitopsd {
namespace {

// A pattern or name longer than this never matches: it bounds the work of one comparison.
constexpr std::size_t max_segment_bytes = 4096;
// bufio.Scanner's limit: source-controller stops reading an ignore file at a longer line.
constexpr std::size_t max_line_bytes = 64 * 1024;

// One UTF-8 code point (an invalid byte counts as one), as Go iterates strings.
std::uint32_t next_rune(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    ++i;
    return 0xFFFD;
  }
  std::uint32_t r = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    r = (r << 6) | (c & 0x3F);
  }
  i += n;
  return r;
}

struct token {
  enum class kind { literal, any, star, set } type;
  std::uint32_t rune = 0;
  bool negated = false;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
};

token make_token(token::kind type, std::uint32_t rune = 0) { return token{type, rune, false, {}}; }

// A character of a class, with its escape; nullopt when the class is malformed.
std::optional<std::uint32_t> class_char(std::string_view p, std::size_t& i) {
  if (i >= p.size() || p[i] == '-' || p[i] == ']') return std::nullopt;
  if (p[i] == '\\') {
    ++i;
    if (i >= p.size()) return std::nullopt;
  }
  std::size_t before = i;
  std::uint32_t r = next_rune(p, i);
  if (r == 0xFFFD && i - before == 1) return std::nullopt;  // invalid UTF-8 inside a class
  return r;
}

// The segment as tokens; nullopt when Go would report ErrBadPattern.
std::optional<std::vector<token>> compile(std::string_view p) {
  std::vector<token> out;
  std::size_t i = 0;
  while (i < p.size()) {
    char c = p[i];
    if (c == '*') {
      ++i;
      if (out.empty() || out.back().type != token::kind::star) out.push_back(make_token(token::kind::star));
    } else if (c == '?') {
      ++i;
      out.push_back(make_token(token::kind::any));
    } else if (c == '[') {
      ++i;
      token t = make_token(token::kind::set);
      if (i < p.size() && p[i] == '^') {
        t.negated = true;
        ++i;
      }
      while (true) {
        if (i < p.size() && p[i] == ']' && !t.ranges.empty()) {
          ++i;
          break;
        }
        auto lo = class_char(p, i);
        if (!lo) return std::nullopt;
        std::uint32_t hi = *lo;
        if (i < p.size() && p[i] == '-') {
          ++i;
          auto h = class_char(p, i);
          if (!h) return std::nullopt;
          hi = *h;
        }
        t.ranges.emplace_back(*lo, hi);
      }
      out.push_back(std::move(t));
    } else {
      if (c == '\\') {
        ++i;
        if (i >= p.size()) return std::nullopt;
      }
      out.push_back(make_token(token::kind::literal, next_rune(p, i)));
    }
  }
  return out;
}

bool token_matches(const token& t, std::uint32_t r) {
  switch (t.type) {
    case token::kind::literal: return t.rune == r;
    case token::kind::any: return true;
    case token::kind::set: {
      bool in = false;
      for (const auto& [lo, hi] : t.ranges)
        if (lo <= r && r <= hi) in = true;
      return in != t.negated;
    }
    case token::kind::star: return false;
  }
  return false;
}

// Greedy matching with one resume point: a later star supersedes an earlier one, so the work is
// at most tokens x runes, without recursion.
bool match_tokens(const std::vector<token>& tokens, const std::vector<std::uint32_t>& runes) {
  std::size_t t = 0, r = 0;
  std::optional<std::size_t> star_t;
  std::size_t star_r = 0;
  while (r < runes.size()) {
    if (t < tokens.size() && tokens[t].type == token::kind::star) {
      star_t = t++;
      star_r = r;
    } else if (t < tokens.size() && token_matches(tokens[t], runes[r])) {
      ++t;
      ++r;
    } else if (star_t) {
      t = *star_t + 1;
      r = ++star_r;
    } else {
      return false;
    }
  }
  while (t < tokens.size() && tokens[t].type == token::kind::star) ++t;
  return t == tokens.size();
}

bool has_double_star(std::string_view s) { return s.find("**") != std::string_view::npos; }

bool simple_name_match(const ignore_pattern& p, const std::vector<std::string_view>& path, std::size_t from, bool is_dir) {
  for (std::size_t i = from; i < path.size(); ++i) {
    if (!glob_match(p.segments[0], path[i])) continue;
    return !(p.dir_only && !is_dir && i == path.size() - 1);
  }
  return false;
}

bool anchored_match(const ignore_pattern& p, const std::vector<std::string_view>& path, std::size_t from, bool is_dir) {
  std::size_t at = from;
  bool matched = false, traverse = false;
  for (std::size_t k = 0; k < p.segments.size(); ++k) {
    const std::string& seg = p.segments[k];
    if (seg.empty()) {
      traverse = false;
      continue;
    }
    if (seg == "**") {
      if (k == p.segments.size() - 1) break;
      traverse = true;
      continue;
    }
    if (has_double_star(seg)) return false;
    if (at >= path.size()) return false;
    if (traverse) {
      traverse = false;
      while (at < path.size()) {
        std::string_view name = path[at++];
        if (glob_match(seg, name)) {
          matched = true;
          break;
        }
        if (at == path.size()) matched = false;
      }
    } else {
      if (!glob_match(seg, path[at])) return false;
      matched = true;
      ++at;
    }
  }
  if (matched && p.dir_only && !is_dir && at == path.size()) matched = false;
  return matched;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t b = 0;
  while (b <= path.size()) {
    auto e = path.find('/', b);
    if (e == std::string_view::npos) e = path.size();
    if (e > b) out.push_back(path.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

std::vector<ignore_pattern> parse_list(std::initializer_list<const char*> lines) {
  std::vector<ignore_pattern> out;
  for (const char* l : lines) out.push_back(parse_ignore_pattern(l, {}));
  return out;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view name) {
  if (pattern.size() > max_segment_bytes || name.size() > max_segment_bytes) return false;
  auto tokens = compile(pattern);
  if (!tokens) return false;
  std::vector<std::uint32_t> runes;
  runes.reserve(name.size());
  for (std::size_t i = 0; i < name.size();) runes.push_back(next_rune(name, i));
  return match_tokens(*tokens, runes);
}

ignore_pattern parse_ignore_pattern(std::string_view line, const std::vector<std::string>& domain) {
  ignore_pattern p;
  p.domain = domain;
  if (line.starts_with('!')) {
    p.include = true;
    line.remove_prefix(1);
  }
  if (!line.ends_with("\\ "))
    while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  if (line.ends_with('/')) {
    p.dir_only = true;
    line.remove_suffix(1);
  }
  p.anchored = line.find('/') != std::string_view::npos;
  std::size_t b = 0;
  while (true) {
    auto e = line.find('/', b);
    p.segments.emplace_back(line.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return p;
}

std::vector<ignore_pattern> read_ignore_patterns(std::string_view text, const std::vector<std::string>& domain) {
  std::vector<ignore_pattern> out;
  std::size_t b = 0;
  while (b < text.size()) {
    auto e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(b, e - b);
    b = e + 1;
    if (line.size() >= max_line_bytes) break;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.starts_with('#')) continue;
    if (line.find_first_not_of(" \t\r\v\f") == std::string_view::npos) continue;
    out.push_back(parse_ignore_pattern(line, domain));
  }
  return out;
}

ignore_result match_ignore_pattern(const ignore_pattern& p, const std::vector<std::string_view>& path, bool is_dir) {
  if (path.size() <= p.domain.size()) return ignore_result::no_match;
  for (std::size_t i = 0; i < p.domain.size(); ++i)
    if (path[i] != p.domain[i]) return ignore_result::no_match;
  std::size_t from = p.domain.size();
  bool matched = p.anchored ? anchored_match(p, path, from, is_dir) : simple_name_match(p, path, from, is_dir);
  if (!matched) return ignore_result::no_match;
  return p.include ? ignore_result::include : ignore_result::exclude;
}

std::vector<ignore_pattern> vcs_ignore_patterns() { return parse_list({".git/", ".gitignore", ".gitmodules", ".gitattributes"}); }

std::vector<ignore_pattern> default_ignore_patterns() {
  return parse_list({"*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip", ".github/",
                     ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml",
                     "codeship-services.yml", "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml",
                     "**/.flux.yaml"});
}

ignore_matcher ignore_matcher::with_defaults(std::vector<ignore_pattern> patterns) {
  std::vector<ignore_pattern> all = vcs_ignore_patterns();
  if (patterns.empty()) {
    auto d = default_ignore_patterns();
    all.insert(all.end(), d.begin(), d.end());
  } else {
    all.insert(all.end(), std::make_move_iterator(patterns.begin()), std::make_move_iterator(patterns.end()));
  }
  return ignore_matcher(std::move(all));
}

ignore_matcher::ignore_matcher(std::vector<ignore_pattern> patterns) : patterns_(std::move(patterns)) {
  for (const auto& p : patterns_) has_includes_ = has_includes_ || p.include;
}

bool ignore_matcher::excluded(std::string_view path, bool is_dir) const {
  auto parts = split_path(path);
  for (auto it = patterns_.rbegin(); it != patterns_.rend(); ++it) {
    auto r = match_ignore_pattern(*it, parts, is_dir);
    if (r != ignore_result::no_match) return r == ignore_result::exclude;
  }
  return false;
}

}  // namespace gitopsd
