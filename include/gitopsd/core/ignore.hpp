#pragma once
// Ignore patterns (gitignore syntax) as Flux's source-controller reads `.sourceignore` files and
// spec.ignore: each pattern applies below the folder that declares it, the last pattern that
// matches a path decides, and a path is matched whole (a file under an excluded folder is
// excluded by the folder's pattern, and can be included again by a later `!` pattern).
// Matching is a pure function with bounded work per path: no regular expressions, no recursion.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd {

// One segment of a pattern as Go's filepath.Match reads it: `*`, `?`, `[...]` / `[^...]` with
// ranges, `\` escapes. A malformed segment never matches (Go reports ErrBadPattern).
bool glob_match(std::string_view pattern, std::string_view name);

struct ignore_pattern {
  std::vector<std::string> domain;    // folder segments the pattern applies below
  std::vector<std::string> segments;  // the pattern split at '/'
  bool include = false;   // `!pattern`
  bool dir_only = false;  // `pattern/`
  bool anchored = false;  // holds a '/': matched from the domain's start, else any one name matches
};

// One line: `!` negates, trailing spaces are dropped unless escaped (`\ `), a trailing `/`
// restricts to folders.
ignore_pattern parse_ignore_pattern(std::string_view line, const std::vector<std::string>& domain);

// The lines of an ignore file: blank lines and lines starting with `#` are skipped.
std::vector<ignore_pattern> read_ignore_patterns(std::string_view text, const std::vector<std::string>& domain);

enum class ignore_result { no_match, exclude, include };

// `path` is relative to the tree's root, split into names.
ignore_result match_ignore_pattern(const ignore_pattern& p, const std::vector<std::string_view>& path, bool is_dir);

// Flux's default exclusions: VCS files (always applied) and the others (CI files and folders,
// .sops.yaml, .goreleaser.yml, .flux.yaml, images and archives), which any `.sourceignore`
// file or spec.ignore pattern replaces.
std::vector<ignore_pattern> vcs_ignore_patterns();
std::vector<ignore_pattern> default_ignore_patterns();

class ignore_matcher {
 public:
  ignore_matcher() = default;
  // The patterns as source-controller orders them: VCS first, then the defaults when `patterns`
  // is empty, else `patterns` (lowest priority first).
  static ignore_matcher with_defaults(std::vector<ignore_pattern> patterns);
  explicit ignore_matcher(std::vector<ignore_pattern> patterns);

  [[nodiscard]] bool excluded(std::string_view path, bool is_dir) const;
  [[nodiscard]] bool has_includes() const { return has_includes_; }
  [[nodiscard]] const std::vector<ignore_pattern>& patterns() const { return patterns_; }

 private:
  std::vector<ignore_pattern> patterns_;
  bool has_includes_ = false;
};

inline constexpr const char* ignore_file_name = ".sourceignore";

}  // namespace gitopsd
