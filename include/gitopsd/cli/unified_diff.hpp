#pragma once
// A line diff in the unified format (`diff -u`): lines in, hunks out, no I/O. Myers' greedy
// algorithm, iterative, with its memory bounded: past `max_edits` differences the changed middle
// is shown as all removed and all added, which is still a correct diff, only a longer one.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::cli {

struct diff_line {
  char op;  // ' ' kept, '-' only in the old text, '+' only in the new one
  std::string text;
};

struct hunk {
  std::size_t old_start = 0;  // 1-based; for an empty range, the line before it (diff's convention)
  std::size_t old_count = 0;
  std::size_t new_start = 0;
  std::size_t new_count = 0;
  std::vector<diff_line> lines;
};

struct diff_limits {
  std::size_t context = 3;
  // Myers keeps one row of O(d) entries per difference d, so O(max_edits^2) entries at most.
  std::size_t max_edits = 2000;
};

// The text split at '\n' (a last line without one counts as a line; "" has no lines).
std::vector<std::string> split_lines(std::string_view text);

// The edit script from `a` to `b`: every line of both, in order, marked kept, removed or added.
std::vector<diff_line> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                  std::size_t max_edits = diff_limits{}.max_edits);

// The hunks of `diff -u`: changes with `context` kept lines around them; none when a == b.
std::vector<hunk> unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                               const diff_limits& limits = {});

// "@@ -1,3 +1,4 @@" and the lines, each ending in '\n'.
std::string format_hunks(const std::vector<hunk>& hunks);

}  // namespace gitopsd::cli
