#pragma once
// Plain-text tables and times for the everyday commands (get, tree, trace), kubectl's look:
// upper-case headers, columns padded to their widest cell, three spaces apart.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::cli {

using row = std::vector<std::string>;

// Colors a cell after it was padded (so escape sequences never count as width); may be empty.
using painter = std::function<std::string(std::size_t column, const std::string& cell, const std::string& padded)>;

// Header and rows, each line ending in '\n'. Widths count UTF-8 characters, not bytes. Control
// characters in cells (a message with a newline or a terminal escape) are shown as spaces.
std::string format_table(const row& header, const std::vector<row>& rows, const painter& paint = {});

// A cell's text on one line, cut to `max` characters with "..." (0: no cut). Safe for text from
// the cluster or Git: C0 and C1 controls, line separators and bidi overrides become spaces, bytes
// that are not UTF-8 become '?'.
std::string one_line(std::string_view text, std::size_t max = 0);

// kubectl's short age: "45s", "3m12s", "12m", "5h10m", "20h", "3d4h", "12d", "2y".
std::string format_age(std::chrono::seconds age);

// metav1.Time ("2026-01-02T03:04:05Z", fractional seconds and offsets accepted).
std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text);

// RFC 3339 UTC with nanoseconds: a fresh value for gitopsd.io/requestedAt each time it is asked.
std::string request_stamp(std::chrono::system_clock::time_point at);

// ANSI color around a word, by its meaning: True/Current green, False/Failed red, others yellow.
std::string colored_status(std::string_view word, const std::string& padded);

}  // namespace gitopsd::cli
