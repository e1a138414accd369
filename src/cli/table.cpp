#include "gitopsd/cli/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace gitopsd::cli {
namespace {

std::size_t width(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

// Length of the well-formed UTF-8 sequence at text[i] (no overlong forms, no surrogates), or 0.
std::size_t sequence_length(std::string_view text, std::size_t i) {
  auto byte = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0; };
  unsigned char lead = byte(0);
  std::size_t n = lead < 0x80 ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                  : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((byte(k) & 0xC0) != 0x80) return 0;
  unsigned char second = byte(1);
  if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) || (lead == 0xF0 && second < 0x90) ||
      (lead == 0xF4 && second > 0x8F))
    return 0;
  return n;
}

std::uint32_t code_point(std::string_view seq) {
  auto b = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(seq[k])); };
  switch (seq.size()) {
    case 1: return b(0);
    case 2: return (b(0) & 0x1F) << 6 | (b(1) & 0x3F);
    case 3: return (b(0) & 0x0F) << 12 | (b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    default: return (b(0) & 0x07) << 18 | (b(1) & 0x3F) << 12 | (b(2) & 0x3F) << 6 | (b(3) & 0x3F);
  }
}

// What a terminal acts on instead of showing: C0 and C1 controls (U+009B is CSI, as ESC [),
// line and paragraph separators, and bidi embeddings, overrides and isolates that reorder the line.
bool acts_on_terminal(std::uint32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string one_line(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t n = sequence_length(text, i);
    if (n == 0) {
      out.push_back('?');  // not UTF-8: a lone byte some terminals would read as a C1 control
      ++i;
      continue;
    }
    auto seq = text.substr(i, n);
    if (acts_on_terminal(code_point(seq))) out.push_back(' ');
    else out.append(seq);
    i += n;
  }
  if (max == 0 || width(out) <= max) return out;
  std::size_t chars = 0, cut = 0;
  for (; cut < out.size(); ++cut) {
    if ((static_cast<unsigned char>(out[cut]) & 0xC0) != 0x80 && chars++ == max - 3) break;
  }
  out.resize(cut);
  return out + "...";
}

std::string format_table(const row& header, const std::vector<row>& rows, const painter& paint) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto measure = [&](const row& r) {
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(one_line(r[i])));
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  auto line = [&](const row& r, bool is_header) {
    std::string out;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < r.size() ? one_line(r[i]) : std::string();
      bool last = i + 1 == widths.size();
      std::string padded = last ? cell : cell + std::string(widths[i] - width(cell) + 3, ' ');
      out += (!is_header && paint) ? paint(i, cell, padded) : padded;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header, true);
  for (const auto& r : rows) out += line(r, false);
  return out;
}

std::string format_age(std::chrono::seconds age) {
  auto s = std::max<long long>(0, age.count());
  constexpr long long minute = 60, hour = 60 * minute, day = 24 * hour, year = 365 * day;
  if (s < 2 * minute) return fmt::format("{}s", s);
  if (s < 10 * minute) return s % minute ? fmt::format("{}m{}s", s / minute, s % minute) : fmt::format("{}m", s / minute);
  if (s < 3 * hour) return fmt::format("{}m", s / minute);
  if (s < 8 * hour) return (s % hour) / minute ? fmt::format("{}h{}m", s / hour, (s % hour) / minute) : fmt::format("{}h", s / hour);
  if (s < 2 * day) return fmt::format("{}h", s / hour);
  if (s < 8 * day) return (s % day) / hour ? fmt::format("{}d{}h", s / day, (s % day) / hour) : fmt::format("{}d", s / day);
  if (s < 2 * year) return fmt::format("{}d", s / day);
  return fmt::format("{}y", s / year);
}

std::optional<std::chrono::system_clock::time_point> parse_time(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  std::string copy(text);
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 || consumed != 19)
    return std::nullopt;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() >= '0' && rest.front() <= '9') rest.remove_prefix(1);
  }
  int offset = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (rest[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok()) return std::nullopt;
  return sys_days(date) + hours(h) + minutes(mi) + seconds(s) - seconds(offset);
}

std::string request_stamp(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto secs = time_point_cast<seconds>(at);
  if (secs > at) secs -= seconds(1);
  auto nanos = duration_cast<nanoseconds>(at - secs).count();
  auto days = floor<std::chrono::days>(secs);
  year_month_day date{days};
  hh_mm_ss<seconds> time{secs - days};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count(), nanos);
}

std::string colored_status(std::string_view word, const std::string& padded) {
  const char* color = "\x1b[33m";  // yellow: unknown, in progress
  if (word == "True" || word == "Current" || word == "yes") color = "\x1b[32m";
  else if (word == "False" || word == "Failed" || word == "NotFound" || word == "no") color = "\x1b[31m";
  return fmt::format("{}{}\x1b[0m{}", color, word, padded.substr(std::min(padded.size(), word.size())));
}

}  // namespace gitopsd::cli
