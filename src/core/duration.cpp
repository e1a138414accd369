#include "gitopsd/core/duration.hpp"

#include "gitopsd/core/errc.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>

namespace gitopsd {
namespace {

struct unit {
  std::string_view name;
  std::uint64_t nanos;
};

// Longest names first so "ms" is not read as "m".
constexpr std::array<unit, 8> units{{{"ns", 1},
                                     {"us", 1'000},
                                     {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
                                     {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
                                     {"ms", 1'000'000},
                                     {"s", 1'000'000'000},
                                     {"m", 60'000'000'000},
                                     {"h", 3'600'000'000'000}}};

error fail(std::string_view text, std::string_view why) {
  return make_error(core::errc::invalid_duration, fmt::format("invalid duration \"{}\": {}", text, why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

result<duration> parse_duration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return duration::zero();
  if (s.empty()) return fail(text, "empty");

  constexpr std::uint64_t max_magnitude = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t total = 0;
  while (!s.empty()) {
    // Integer part, then an optional fraction; at least one digit overall.
    std::uint64_t whole = 0;
    bool overflow = false;
    std::size_t digits = 0;
    while (digits < s.size() && is_digit(s[digits])) {
      if (whole > (max_magnitude - static_cast<std::uint64_t>(s[digits] - '0')) / 10) overflow = true;
      whole = whole * 10 + static_cast<std::uint64_t>(s[digits] - '0');
      ++digits;
    }
    if (overflow) return fail(text, "too large");
    s.remove_prefix(digits);
    std::uint64_t fraction = 0, scale = 1;
    std::size_t fraction_digits = 0;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (fraction_digits < s.size() && is_digit(s[fraction_digits])) {
        if (scale < 1'000'000'000'000'000'000ULL) {  // extra digits beyond 1e-18 cannot matter
          fraction = fraction * 10 + static_cast<std::uint64_t>(s[fraction_digits] - '0');
          scale *= 10;
        }
        ++fraction_digits;
      }
      s.remove_prefix(fraction_digits);
    }
    if (digits == 0 && fraction_digits == 0) return fail(text, "expected a number");

    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !is_digit(s[unit_len])) ++unit_len;
    std::string_view name = s.substr(0, unit_len);
    if (name.empty()) return fail(text, "missing unit (one of ns, us, ms, s, m, h)");
    const unit* found = nullptr;
    for (const auto& u : units)
      if (u.name == name) found = &u;
    if (found == nullptr) return fail(text, fmt::format("unknown unit \"{}\" (one of ns, us, ms, s, m, h)", name));
    s.remove_prefix(unit_len);

    if (whole > max_magnitude / found->nanos) return fail(text, "too large");
    std::uint64_t value = whole * found->nanos;
    // fraction/scale of a unit, computed without floating point so "1.1s" is exact.
    if (fraction > 0) {
      long double part = static_cast<long double>(fraction) * static_cast<long double>(found->nanos) /
                         static_cast<long double>(scale);
      value += static_cast<std::uint64_t>(part);
    }
    if (value > max_magnitude - total) return fail(text, "too large");
    total += value;
  }
  auto magnitude = static_cast<std::int64_t>(total);
  return duration(negative ? -magnitude : magnitude);
}

std::string format_duration(duration d) {
  std::int64_t n = d.count();
  if (n == 0) return "0s";
  std::string sign = n < 0 ? "-" : "";
  // Magnitude as unsigned so the minimum value does not overflow.
  std::uint64_t u = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);

  auto with_fraction = [](std::uint64_t value, std::uint64_t per_unit, int width) {
    std::string text = fmt::format("{}", value / per_unit);
    std::uint64_t rest = value % per_unit;
    if (rest != 0) {
      std::string frac = fmt::format("{:0{}}", rest, width);
      while (!frac.empty() && frac.back() == '0') frac.pop_back();
      text += "." + frac;
    }
    return text;
  };

  if (u < 1'000) return sign + fmt::format("{}ns", u);
  if (u < 1'000'000) return sign + with_fraction(u, 1'000, 3) + "\xC2\xB5s";
  if (u < 1'000'000'000) return sign + with_fraction(u, 1'000'000, 6) + "ms";

  std::uint64_t hours = u / 3'600'000'000'000ULL;
  u %= 3'600'000'000'000ULL;
  std::uint64_t minutes = u / 60'000'000'000ULL;
  u %= 60'000'000'000ULL;
  std::string seconds = with_fraction(u, 1'000'000'000, 9) + "s";
  if (hours > 0) return sign + fmt::format("{}h{}m{}", hours, minutes, seconds);
  if (minutes > 0) return sign + fmt::format("{}m{}", minutes, seconds);
  return sign + seconds;
}

}  // namespace gitopsd
