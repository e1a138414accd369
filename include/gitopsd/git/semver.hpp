#pragma once
// Semantic versions (semver.org 2.0) and version ranges as Flux accepts them for `ref.semver`:
// comparators (=, !=, >, >=, <, <=), tilde (~1.2), caret (^1), wildcards (1.2.x, *), hyphen ranges
// (1.2 - 1.4), AND by space or comma, OR by "||". Pure code, no I/O.
//
// Prerelease rule: a version with a prerelease (1.2.0-rc.1) matches a group of comparators only when
// at least one comparator of that group itself names a prerelease (">=1.2.0-0"); "*" and ">=1.0.0"
// never pick prereleases.

#include "gitopsd/core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gitopsd::git::semver {

struct version {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers
  std::string build;                    // ignored for precedence

  [[nodiscard]] bool is_prerelease() const { return !prerelease.empty(); }
  [[nodiscard]] std::string str() const;
};

// -1, 0, 1 by semver precedence (build metadata ignored).
int compare(const version& a, const version& b);
inline bool operator<(const version& a, const version& b) { return compare(a, b) < 0; }
inline bool operator==(const version& a, const version& b) { return compare(a, b) == 0; }

// Parses a tag such as "v1.2.3", "1.2.3-rc.1+build.5". Two or one component ("1.2", "v2") mean
// the missing ones are zero. Returns nothing when the text is not a version.
std::optional<version> parse_version(std::string_view text);

class range {
 public:
  // Parses a range; errc::invalid_semver with the offending text on failure.
  static result<range> parse(std::string_view text);
  [[nodiscard]] bool matches(const version& v) const;
  [[nodiscard]] const std::string& text() const { return text_; }

  struct bound {
    version v;
    bool inclusive = true;
  };
  // lower <= v < upper (or <=), inverted when `negate` (for !=).
  struct interval {
    std::optional<bound> lower, upper;
    bool negate = false;
  };
  struct group {
    std::vector<interval> all;
    bool allows_prerelease = false;
  };

 private:
  std::string text_;
  std::vector<group> any_;
};

// Of the given tag names, the one whose version is highest among those the range matches; tags that
// are not versions are ignored. Equal versions ("v1.0.0" and "1.0.0"): the lexically smaller name.
std::optional<std::string> pick_highest(const range& r, const std::vector<std::string>& tags);

}  // namespace gitopsd::git::semver
