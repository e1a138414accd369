#include "gitopsd/cli/unified_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

namespace gitopsd::cli {

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

namespace {

using index = std::int64_t;

// Myers' forward greedy search over a[a0, a1) and b[b0, b1), keeping the row of furthest reaches
// of every step to walk back. Returns false when more than `max_edits` steps would be needed.
bool myers(const std::vector<std::string>& a, index a0, index a1, const std::vector<std::string>& b, index b0,
           index b1, std::size_t max_edits, std::vector<diff_line>& out) {
  const index n = a1 - a0, m = b1 - b0;
  const index max_d = std::min<index>(n + m, static_cast<index>(max_edits));
  const index offset = max_d + 1;
  std::vector<index> v(static_cast<std::size_t>(2 * offset + 1), 0);
  std::vector<std::vector<index>> rows;  // rows[d][k + d]: the furthest x on diagonal k after step d
  index found = -1;
  for (index d = 0; d <= max_d && found < 0; ++d) {
    for (index k = -d; k <= d; k += 2) {
      index x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      index y = x - k;
      while (x < n && y < m && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[offset + k] = x;
      if (x >= n && y >= m) found = d;
    }
    rows.emplace_back(v.begin() + offset - d, v.begin() + offset + d + 1);
  }
  if (found < 0) return false;
  // Walk back from (n, m), collecting the script in reverse.
  std::vector<diff_line> reversed;
  index x = n, y = m;
  for (index d = found; d >= 0; --d) {
    index k = x - y;
    index prev_x = 0, prev_y = 0;
    bool down = false;
    if (d > 0) {
      const auto& prev = rows[static_cast<std::size_t>(d - 1)];
      auto at = [&](index kk) { return prev[static_cast<std::size_t>(kk + d - 1)]; };
      down = k == -d || (k != d && at(k - 1) < at(k + 1));
      index prev_k = down ? k + 1 : k - 1;
      prev_x = at(prev_k);
      prev_y = prev_x - prev_k;
    }
    // The snake of this step: kept lines, back to where the step's one edit ended.
    index snake_x = d > 0 ? (down ? prev_x : prev_x + 1) : 0;
    while (x > snake_x) {
      reversed.push_back({' ', a[a0 + x - 1]});
      --x, --y;
    }
    if (d > 0) {
      if (down) reversed.push_back({'+', b[b0 + prev_y]});
      else reversed.push_back({'-', a[a0 + prev_x]});
      x = prev_x, y = prev_y;
    }
  }
  out.insert(out.end(), reversed.rbegin(), reversed.rend());
  return true;
}

}  // namespace

std::vector<diff_line> diff_lines(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                  std::size_t max_edits) {
  std::vector<diff_line> out;
  // The common head and tail cost nothing to find and are most of a typical object.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head && a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) ++tail;
  for (std::size_t i = 0; i < head; ++i) out.push_back({' ', a[i]});
  auto a1 = static_cast<index>(a.size() - tail), b1 = static_cast<index>(b.size() - tail);
  if (!myers(a, static_cast<index>(head), a1, b, static_cast<index>(head), b1, max_edits, out)) {
    for (auto i = static_cast<index>(head); i < a1; ++i) out.push_back({'-', a[static_cast<std::size_t>(i)]});
    for (auto i = static_cast<index>(head); i < b1; ++i) out.push_back({'+', b[static_cast<std::size_t>(i)]});
  }
  for (std::size_t i = a.size() - tail; i < a.size(); ++i) out.push_back({' ', a[i]});
  return out;
}

std::vector<hunk> unified_diff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                               const diff_limits& limits) {
  auto script = diff_lines(a, b, limits.max_edits);
  std::vector<std::size_t> changes;
  for (std::size_t i = 0; i < script.size(); ++i)
    if (script[i].op != ' ') changes.push_back(i);
  std::vector<hunk> out;
  const std::size_t context = limits.context;
  std::size_t c = 0;
  // Line numbers (0-based counts) of both texts at the script position `pos`.
  std::size_t pos = 0, old_line = 0, new_line = 0;
  auto advance_to = [&](std::size_t target) {
    for (; pos < target; ++pos) {
      if (script[pos].op != '+') ++old_line;
      if (script[pos].op != '-') ++new_line;
    }
  };
  while (c < changes.size()) {
    std::size_t begin = changes[c] > context ? changes[c] - context : 0;
    std::size_t last = changes[c];
    // Changes closer than two contexts apart share a hunk.
    while (c + 1 < changes.size() && changes[c + 1] - last - 1 <= 2 * context) last = changes[++c];
    ++c;
    std::size_t end = std::min(script.size(), last + context + 1);
    advance_to(begin);
    hunk h;
    h.old_start = old_line;
    h.new_start = new_line;
    for (std::size_t i = begin; i < end; ++i) {
      if (script[i].op != '+') ++h.old_count;
      if (script[i].op != '-') ++h.new_count;
      h.lines.push_back(script[i]);
    }
    // 1-based, except that an empty range names the line before it.
    if (h.old_count > 0) ++h.old_start;
    if (h.new_count > 0) ++h.new_start;
    out.push_back(std::move(h));
  }
  return out;
}

namespace {

std::string range(std::size_t start, std::size_t count) {
  return count == 1 ? fmt::format("{}", start) : fmt::format("{},{}", start, count);
}

}  // namespace

std::string format_hunks(const std::vector<hunk>& hunks) {
  std::string out;
  for (const auto& h : hunks) {
    out += fmt::format("@@ -{} +{} @@\n", range(h.old_start, h.old_count), range(h.new_start, h.new_count));
    for (const auto& l : h.lines) {
      out += l.op;
      out += l.text;
      out += '\n';
    }
  }
  return out;
}

}  // namespace gitopsd::cli
