// Go's shortest float formatting, from the shortest round-trip digits std::to_chars gives.
#include "go_float.hpp"

#include <charconv>
#include <cstdlib>

namespace gitopsd::render::kustomize {

namespace {

struct digits {
  bool neg = false;
  std::string d;  // significant digits, no leading zero (empty for 0)
  int dp = 0;     // the decimal point's place: value = 0.d × 10^dp
};

digits shortest(double v) {
  digits out;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view s(buf, static_cast<std::size_t>(end - buf));
  if (!s.empty() && s[0] == '-') {
    out.neg = true;
    s.remove_prefix(1);
  }
  auto e = s.find('e');
  for (char c : s.substr(0, e))
    if (c != '.') out.d += c;
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  if (out.d == "0") {
    out.d.clear();
    return out;
  }
  out.dp = exp + 1;
  return out;
}

// %f with `prec` decimals of the digits (Go's fmtF).
std::string fixed(const digits& g, int prec) {
  std::string out = g.neg ? "-" : "";
  int nd = static_cast<int>(g.d.size());
  if (g.dp > 0) {
    for (int i = 0; i < g.dp; ++i) out += i < nd ? g.d[static_cast<std::size_t>(i)] : '0';
  } else {
    out += '0';
  }
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) {
      int j = g.dp + i - 1;
      out += j >= 0 && j < nd ? g.d[static_cast<std::size_t>(j)] : '0';
    }
  }
  return out;
}

}  // namespace

std::string go_float_f(double d) {
  digits g = shortest(d);
  return fixed(g, std::max(static_cast<int>(g.d.size()) - g.dp, 0));
}

std::string go_float_g(double d) {
  digits g = shortest(d);
  int nd = static_cast<int>(g.d.size());
  if (nd == 0) return g.neg ? "-0" : "0";
  int exp = g.dp - 1;
  // Shortest: Go decides with precision 6.
  if (exp < -4 || exp >= 6) {
    std::string out = g.neg ? "-" : "";
    out += g.d[0];
    if (nd > 1) out += "." + g.d.substr(1);
    out += exp < 0 ? "e-" : "e+";
    int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
  }
  return fixed(g, std::max(nd - g.dp, 0));
}

}  // namespace gitopsd::render::kustomize
