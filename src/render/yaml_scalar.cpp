// Plain-scalar resolution as go-yaml v2 does it (resolve.go), followed by the JSON conversion of
// sigs.k8s.io/yaml and the number handling of Kubernetes' unstructured decoder.
#include "gitopsd/render/yaml.hpp"
#include "yaml_scalar.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace gitopsd::render::detail {
namespace {

struct word {
  std::string_view text;
  scalar_kind kind;
  bool truth;
};

// YAML 1.1 words go-yaml v2 resolves when the scalar is plain.
constexpr std::array words{
    word{"y", scalar_kind::boolean, true},      word{"Y", scalar_kind::boolean, true},
    word{"yes", scalar_kind::boolean, true},    word{"Yes", scalar_kind::boolean, true},
    word{"YES", scalar_kind::boolean, true},    word{"true", scalar_kind::boolean, true},
    word{"True", scalar_kind::boolean, true},   word{"TRUE", scalar_kind::boolean, true},
    word{"on", scalar_kind::boolean, true},     word{"On", scalar_kind::boolean, true},
    word{"ON", scalar_kind::boolean, true},     word{"n", scalar_kind::boolean, false},
    word{"N", scalar_kind::boolean, false},     word{"no", scalar_kind::boolean, false},
    word{"No", scalar_kind::boolean, false},    word{"NO", scalar_kind::boolean, false},
    word{"false", scalar_kind::boolean, false}, word{"False", scalar_kind::boolean, false},
    word{"FALSE", scalar_kind::boolean, false}, word{"off", scalar_kind::boolean, false},
    word{"Off", scalar_kind::boolean, false},   word{"OFF", scalar_kind::boolean, false},
    word{"", scalar_kind::null, false},         word{"~", scalar_kind::null, false},
    word{"null", scalar_kind::null, false},     word{"Null", scalar_kind::null, false},
    word{"NULL", scalar_kind::null, false},
};

bool is_not_finite_word(std::string_view s, double& v) {
  for (std::string_view w : {".nan", ".NaN", ".NAN"})
    if (s == w) return v = std::nan(""), true;
  for (std::string_view w : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})
    if (s == w) return v = HUGE_VAL, true;
  for (std::string_view w : {"-.inf", "-.Inf", "-.INF"})
    if (s == w) return v = -HUGE_VAL, true;
  return false;
}

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// strconv.ParseUint(s, 0, 64): optional 0b/0o/0x prefix, a leading 0 alone means octal.
bool parse_go_uint(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  int base = 10;
  if (s[0] == '0') {
    char p = s.size() >= 3 ? static_cast<char>(s[1] | 0x20) : '\0';
    if (p == 'b') base = 2, s.remove_prefix(2);
    else if (p == 'o') base = 8, s.remove_prefix(2);
    else if (p == 'x') base = 16, s.remove_prefix(2);
    else base = 8, s.remove_prefix(1);
  }
  std::uint64_t n = 0;
  for (char c : s) {
    int d = digit_value(c);
    if (d >= base) return false;
    if (n > (UINT64_MAX - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) return false;
    n = n * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  out = n;
  return true;
}

// strconv.ParseInt(s, 0, 64).
bool parse_go_int(std::string_view s, std::int64_t& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  std::uint64_t u = 0;
  if (!parse_go_uint(s, u)) return false;
  constexpr std::uint64_t cutoff = std::uint64_t{1} << 63;
  if (!negative && u >= cutoff) return false;
  if (negative && u > cutoff) return false;
  out = negative ? static_cast<std::int64_t>(0 - u) : static_cast<std::int64_t>(u);
  return true;
}

bool parse_float(const std::string& s, double& out) {
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  if (errno == ERANGE && std::isinf(v)) return false;  // Go reports overflow as an error
  out = v;
  return true;
}

bool digits(std::string_view s, std::size_t& i) {
  std::size_t start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i > start;
}

bool exponent_tail(std::string_view s, std::size_t& i) {
  if (i == s.size()) return true;
  if (s[i] != 'e' && s[i] != 'E') return false;
  ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  return digits(s, i) && i == s.size();
}

// go-yaml's yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool yaml_style_float(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits(s, i)) return false;
  } else {
    if (!digits(s, i)) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      digits(s, i);
    }
  }
  return exponent_tail(s, i);
}

// ^\.[0-9]+([eE][-+]?[0-9]+)?$
bool dot_float(std::string_view s) {
  std::size_t i = 1;
  return !s.empty() && s[0] == '.' && digits(s, i) && exponent_tail(s, i);
}

// strconv.ParseFloat, which go-yaml calls on ".5_0", takes '_' between two digits as Go literals do.
bool strip_go_underscores(std::string_view s, std::string& out) {
  auto digit = [&](std::size_t i) { return s[i] >= '0' && s[i] <= '9'; };
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '_') {
      out += s[i];
    } else if (i == 0 || i + 1 == s.size() || !digit(i - 1) || !digit(i + 1)) {
      return false;
    }
  }
  return true;
}

bool is_yaml12_bool(std::string_view s) {
  for (std::string_view w : {"true", "True", "TRUE", "false", "False", "FALSE"})
    if (s == w) return true;
  return false;
}

// Go's time.Parse number fields: 1 or 2 digits where the layout has "1", "2", "15", "4" or "5".
bool two_digits(std::string_view s, std::size_t& i, int& out) {
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  out = s[i++] - '0';
  if (i < s.size() && s[i] >= '0' && s[i] <= '9') out = out * 10 + (s[i++] - '0');
  return true;
}

int days_in(int month, int year) {
  static constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[static_cast<std::size_t>(month - 1)];
}

}  // namespace

// go-yaml v3's layouts, tried in order: "2006-1-2T15:4:5.999999999Z07:00", the same with a
// lower-case "t", "2006-1-2 15:4:5.999999999" (UTC) and "2006-1-2".
std::optional<std::string> timestamp_json(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i != 4 || i == s.size() || s[i] != '-') return std::nullopt;
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int month = 0, day = 0, hour = 0, minute = 0, second = 0;
  ++i;
  if (!two_digits(s, i, month) || i >= s.size() || s[i] != '-') return std::nullopt;
  ++i;
  if (!two_digits(s, i, day)) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in(month, year)) return std::nullopt;
  std::string fraction;
  std::string zone = "Z";
  if (i < s.size()) {
    char sep = s[i++];
    if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
    if (!two_digits(s, i, hour) || i >= s.size() || s[i++] != ':' || !two_digits(s, i, minute) ||
        i >= s.size() || s[i++] != ':' || !two_digits(s, i, second))
      return std::nullopt;
    if (hour >= 24 || minute >= 60 || second >= 60) return std::nullopt;
    if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && s[i + 1] >= '0' && s[i + 1] <= '9') {
      ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') fraction += s[i++];
      fraction.resize(std::min<std::size_t>(fraction.size(), 9));
      while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    }
    if (sep == ' ') {
      if (i != s.size()) return std::nullopt;
    } else if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else {
      // +hh:mm; an offset of zero is written "Z".
      if (i + 6 != s.size() || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':') return std::nullopt;
      for (std::size_t k : {i + 1, i + 2, i + 4, i + 5})
        if (s[k] < '0' || s[k] > '9') return std::nullopt;
      int hh = (s[i + 1] - '0') * 10 + (s[i + 2] - '0'), mm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
      if (hh > 24 || mm > 60) return std::nullopt;
      if (hh != 0 || mm != 0) zone = std::string(s.substr(i, 6));
      i += 6;
    }
    if (i != s.size()) return std::nullopt;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second);
  std::string out = buf;
  if (!fraction.empty()) out += "." + fraction;
  return out + zone;
}

scalar resolve_plain(std::string_view text, bool yaml11_words) {
  scalar r;
  r.kind = scalar_kind::string;
  char hint = text.empty() ? 'N' : text[0];
  bool in_table = text.empty() || hint == '+' || hint == '-' || (hint >= '0' && hint <= '9') || hint == '.' ||
                  std::string_view("yYnNtTfFoO~").find(hint) != std::string_view::npos;
  if (!in_table) return r;
  for (const word& w : words) {
    if (w.text == text && (yaml11_words || w.kind == scalar_kind::null || is_yaml12_bool(text))) {
      r.kind = w.kind;
      r.truth = w.truth;
      return r;
    }
  }
  if (is_not_finite_word(text, r.real)) {
    r.kind = scalar_kind::not_finite;
    return r;
  }
  if (hint == '.') {
    std::string plain;
    if (strip_go_underscores(text, plain) && dot_float(plain) && parse_float(plain, r.real))
      r.kind = scalar_kind::floating;
    return r;
  }
  if (hint == '+' || hint == '-' || (hint >= '0' && hint <= '9')) {
    std::string plain;
    plain.reserve(text.size());
    for (char c : text)
      if (c != '_') plain += c;
    if (parse_go_int(plain, r.integer)) {
      r.kind = scalar_kind::integer;
      return r;
    }
    std::uint64_t u = 0;
    if (parse_go_uint(plain, u)) {
      // Kubernetes' unstructured decoder keeps integers as int64; larger ones become float64.
      r.kind = scalar_kind::floating;
      r.real = static_cast<double>(u);
      return r;
    }
    if (yaml_style_float(plain) && parse_float(plain, r.real)) {
      r.kind = scalar_kind::floating;
      return r;
    }
  }
  return r;
}

// strconv.FormatFloat(v, 'g', -1, 32): the shortest digits that read back as the same float32,
// exponent form when the exponent is below -4 or at least 6 (Go's rule for shortest %g).
std::string format_float32_key(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  auto f = static_cast<float>(value);
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  int precision = 0;
  for (; precision < 9; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision, static_cast<double>(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  std::string e(buf);  // d.ddde±XX
  auto epos = e.find('e');
  int exponent = std::atoi(e.c_str() + epos + 1);
  std::string mantissa = e.substr(0, epos);
  bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits;
  for (char c : mantissa)
    if (c != '.') digits += c;
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp[24];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
    out += exp;
  } else if (exponent < 0) {
    out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
  } else {
    auto whole = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= whole) {
      out += digits + std::string(whole - digits.size(), '0');
    } else {
      out += digits.substr(0, whole) + "." + digits.substr(whole);
    }
  }
  return out;
}

namespace {

// Reads 1..max digits at `i`; the count read.
std::size_t digits(std::string_view s, std::size_t& i, std::size_t max) {
  std::size_t n = 0;
  while (i < s.size() && n < max && s[i] >= '0' && s[i] <= '9') ++i, ++n;
  return n;
}

// YAML 1.1's sexagesimal int and float: [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
bool sexagesimal(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_')) ++i;
  bool group = false;
  while (i < s.size() && s[i] == ':') {
    std::size_t start = ++i, n = digits(s, i, 2);
    if (n == 0 || (n == 2 && s[start] > '5')) return false;
    group = true;
  }
  if (!group) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_')) ++i;
  }
  return i == s.size();
}

// YAML 1.1's timestamp, loosened to one or two digit months and days throughout.
bool yaml11_timestamp(std::string_view s) {
  std::size_t i = 0;
  if (digits(s, i, 4) != 4 || i >= s.size() || s[i++] != '-') return false;
  if (digits(s, i, 2) == 0 || i >= s.size() || s[i++] != '-') return false;
  if (digits(s, i, 2) == 0) return false;
  if (i == s.size()) return true;
  if (s[i] == 'T' || s[i] == 't') ++i;
  else if (s[i] == ' ' || s[i] == '\t') while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  else return false;
  if (digits(s, i, 2) == 0 || i >= s.size() || s[i++] != ':') return false;
  if (digits(s, i, 2) != 2 || i >= s.size() || s[i++] != ':') return false;
  if (digits(s, i, 2) != 2) return false;
  if (i < s.size() && s[i] == '.') ++i, digits(s, i, std::string_view::npos);
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i == s.size()) return true;
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '-' && s[i] != '+') return false;
  ++i;
  if (digits(s, i, 2) == 0) return false;
  if (i < s.size() && s[i] == ':') {
    ++i;
    if (digits(s, i, 2) != 2) return false;
  }
  return i == s.size();
}

}  // namespace

bool reads_as_time(std::string_view text) {
  return sexagesimal(text) || yaml11_timestamp(text) || timestamp_json(text).has_value();
}

}  // namespace gitopsd::render::detail

namespace gitopsd::render {
scalar_kind classify_plain(std::string_view text) { return detail::resolve_plain(text).kind; }
}  // namespace gitopsd::render
