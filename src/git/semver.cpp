#include "gitopsd/git/semver.hpp"

#include "gitopsd/git/errc.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace gitopsd::git::semver {
namespace {

bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool is_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
}

std::optional<std::uint64_t> to_number(std::string_view s) {
  if (!is_digits(s) || s.size() > 18) return std::nullopt;
  std::uint64_t n = 0;
  std::from_chars(s.data(), s.data() + s.size(), n);
  return n;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

int compare_identifier(std::string_view a, std::string_view b) {
  bool an = is_digits(a), bn = is_digits(b);
  if (an && bn) {
    // Numeric identifiers compare by value; strip leading zeros and compare by length then text.
    auto strip = [](std::string_view s) {
      while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
      return s;
    };
    a = strip(a);
    b = strip(b);
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  } else if (an != bn) {
    return an ? -1 : 1;  // numeric identifiers have lower precedence
  }
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// A version in a range where trailing components may be missing or wildcards ("1.2.x", "1", "*").
struct partial {
  std::optional<std::uint64_t> major, minor, patch;
  std::vector<std::string> prerelease;
  std::string build;
};

bool is_wildcard(std::string_view s) { return s == "x" || s == "X" || s == "*"; }

// Splits "1.2.3-rc.1+b" into core, prerelease and build; false when malformed.
bool split_version(std::string_view text, std::string_view& core, std::vector<std::string>& pre, std::string& build) {
  if (auto plus = text.find('+'); plus != std::string_view::npos) {
    build = std::string(text.substr(plus + 1));
    text = text.substr(0, plus);
    for (auto id : split(build, '.'))
      if (!is_identifier(id)) return false;
  }
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    for (auto id : split(text.substr(dash + 1), '.')) {
      if (!is_identifier(id)) return false;
      pre.emplace_back(id);
    }
    text = text.substr(0, dash);
  }
  core = text;
  return !core.empty();
}

std::optional<partial> parse_partial(std::string_view text) {
  if (!text.empty() && (text.front() == 'v' || text.front() == 'V')) text.remove_prefix(1);
  partial p;
  std::string_view core;
  if (!split_version(text, core, p.prerelease, p.build)) return std::nullopt;
  auto parts = split(core, '.');
  if (parts.size() > 3) return std::nullopt;
  std::optional<std::uint64_t>* slots[] = {&p.major, &p.minor, &p.patch};
  bool wild = false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_wildcard(parts[i])) {
      wild = true;
      continue;
    }
    if (wild) return std::nullopt;  // "1.x.3" is not a range
    auto n = to_number(parts[i]);
    if (!n) return std::nullopt;
    *slots[i] = *n;
  }
  if ((!p.major || !p.minor || !p.patch) && !p.prerelease.empty()) return std::nullopt;
  return p;
}

version fill(const partial& p) {
  version v{p.major.value_or(0), p.minor.value_or(0), p.patch.value_or(0), p.prerelease, p.build};
  return v;
}

version make(std::uint64_t a, std::uint64_t b, std::uint64_t c) { return version{a, b, c, {}, {}}; }

// The version just above the wildcarded part: "1.2.x" -> 1.3.0, "1" -> 2.0.0.
version next_after(const partial& p) {
  if (!p.minor) return make(*p.major + 1, 0, 0);
  if (!p.patch) return make(*p.major, *p.minor + 1, 0);
  return make(*p.major, *p.minor, *p.patch + 1);
}

bool is_full(const partial& p) { return p.major && p.minor && p.patch; }

using interval = range::interval;
using bound = range::bound;

interval any() { return {}; }

// "=1.2" and a bare "1.2": everything inside the wildcarded span.
interval exact(const partial& p) {
  if (!p.major) return any();
  if (is_full(p)) return {bound{fill(p), true}, bound{fill(p), true}, false};
  return {bound{fill(p), true}, bound{next_after(p), false}, false};
}

std::optional<interval> comparator(std::string_view op, const partial& p) {
  const bool wild = !p.major;
  if (op.empty() || op == "=") return exact(p);
  if (op == "!=") {
    if (wild) return std::nullopt;
    interval i = exact(p);
    i.negate = true;
    return i;
  }
  if (op == ">") {
    if (wild) return std::nullopt;
    if (is_full(p)) return interval{bound{fill(p), false}, std::nullopt, false};
    return interval{bound{next_after(p), true}, std::nullopt, false};
  }
  if (op == ">=" || op == "=>") return wild ? any() : interval{bound{fill(p), true}, std::nullopt, false};
  if (op == "<") {
    if (wild) return std::nullopt;
    return interval{std::nullopt, bound{fill(p), false}, false};
  }
  if (op == "<=" || op == "=<") {
    if (wild) return any();
    if (is_full(p)) return interval{std::nullopt, bound{fill(p), true}, false};
    return interval{std::nullopt, bound{next_after(p), false}, false};
  }
  if (op == "~" || op == "~>") {
    if (wild) return any();
    version upper = p.minor ? make(*p.major, *p.minor + 1, 0) : make(*p.major + 1, 0, 0);
    return interval{bound{fill(p), true}, bound{upper, false}, false};
  }
  if (op == "^") {
    if (wild) return any();
    version upper;
    if (*p.major > 0 || !p.minor)
      upper = make(*p.major + 1, 0, 0);
    else if (*p.minor > 0 || !p.patch)
      upper = make(0, *p.minor + 1, 0);
    else
      upper = make(0, 0, *p.patch + 1);
    return interval{bound{fill(p), true}, bound{upper, false}, false};
  }
  return std::nullopt;
}

bool inside(const interval& i, const version& v) {
  bool in = true;
  if (i.lower) {
    int c = compare(v, i.lower->v);
    in = in && (c > 0 || (c == 0 && i.lower->inclusive));
  }
  if (i.upper) {
    int c = compare(v, i.upper->v);
    in = in && (c < 0 || (c == 0 && i.upper->inclusive));
  }
  return i.negate ? !in : in;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Words of one AND group: split on blanks and commas.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (std::isspace(static_cast<unsigned char>(s[i])) || s[i] == ',')) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != ',') ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::size_t operator_length(std::string_view w) {
  std::size_t n = 0;
  while (n < w.size() && std::string_view("=<>!~^").find(w[n]) != std::string_view::npos) ++n;
  return n;
}

}  // namespace

std::string version::str() const {
  std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  for (std::size_t i = 0; i < prerelease.size(); ++i) s += (i == 0 ? "-" : ".") + prerelease[i];
  if (!build.empty()) s += "+" + build;
  return s;
}

int compare(const version& a, const version& b) {
  auto cmp = [](std::uint64_t x, std::uint64_t y) { return x < y ? -1 : (x > y ? 1 : 0); };
  if (int c = cmp(a.major, b.major)) return c;
  if (int c = cmp(a.minor, b.minor)) return c;
  if (int c = cmp(a.patch, b.patch)) return c;
  // A version without prerelease ranks above the same version with one.
  if (a.prerelease.empty() || b.prerelease.empty())
    return a.prerelease.empty() == b.prerelease.empty() ? 0 : (a.prerelease.empty() ? 1 : -1);
  for (std::size_t i = 0; i < std::min(a.prerelease.size(), b.prerelease.size()); ++i)
    if (int c = compare_identifier(a.prerelease[i], b.prerelease[i])) return c;
  return cmp(a.prerelease.size(), b.prerelease.size());
}

std::optional<version> parse_version(std::string_view text) {
  auto p = parse_partial(text);
  if (!p || !p->major) return std::nullopt;
  // Wildcards are for ranges, not for tags.
  if (text.find_first_of("xX*") != std::string_view::npos) {
    std::string_view core = text.substr(0, text.find_first_of("-+"));
    if (core.find_first_of("xX*") != std::string_view::npos) return std::nullopt;
  }
  return fill(*p);
}

result<range> range::parse(std::string_view text) {
  range r;
  r.text_ = std::string(text);
  auto fail = [&](std::string_view why) {
    return make_error(errc::invalid_semver, "invalid semver range \"" + std::string(text) + "\": " + std::string(why));
  };
  if (trim(text).empty()) return fail("empty");
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t bar = text.find("||", start);
    std::string_view part = text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    start = bar == std::string_view::npos ? text.size() + 1 : bar + 2;

    auto w = words(part);
    if (w.empty()) return fail("empty alternative");
    group g;
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::string_view op = w[i].substr(0, operator_length(w[i]));
      std::string_view ver = w[i].substr(op.size());
      if (ver.empty() && !op.empty()) {  // ">= 1.2": operator and version as two words
        if (i + 1 >= w.size()) return fail("operator \"" + std::string(op) + "\" without a version");
        ver = w[++i];
      }
      auto p = parse_partial(ver);
      if (!p) return fail("\"" + std::string(ver) + "\" is not a version");
      if (!p->prerelease.empty()) g.allows_prerelease = true;
      if (op.empty() && i + 2 < w.size() && w[i + 1] == "-") {  // hyphen range "1.2 - 1.4"
        auto hi = parse_partial(w[i + 2]);
        if (!hi) return fail("\"" + std::string(w[i + 2]) + "\" is not a version");
        if (!hi->prerelease.empty()) g.allows_prerelease = true;
        auto lo_i = comparator(">=", *p);
        auto hi_i = comparator("<=", *hi);
        g.all.push_back(*lo_i);
        g.all.push_back(*hi_i);
        i += 2;
        continue;
      }
      auto c = comparator(op, *p);
      if (!c) return fail("unsupported comparator \"" + std::string(op) + std::string(ver) + "\"");
      g.all.push_back(*c);
    }
    r.any_.push_back(std::move(g));
  }
  return r;
}

bool range::matches(const version& v) const {
  for (const auto& g : any_) {
    if (v.is_prerelease() && !g.allows_prerelease) continue;
    if (std::all_of(g.all.begin(), g.all.end(), [&](const interval& i) { return inside(i, v); })) return true;
  }
  return false;
}

std::optional<std::string> pick_highest(const range& r, const std::vector<std::string>& tags) {
  std::optional<std::string> best_name;
  std::optional<version> best;
  for (const auto& t : tags) {
    auto v = parse_version(t);
    if (!v || !r.matches(*v)) continue;
    int c = best ? compare(*v, *best) : 1;
    if (c > 0 || (c == 0 && t < *best_name)) {
      best = v;
      best_name = t;
    }
  }
  return best_name;
}

}  // namespace gitopsd::git::semver
