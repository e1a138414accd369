#pragma once
// The upstream tools the oracle tests compare with (built by tests/cluster/tools.sh, or found
// through GITOPSD_TOOLS_BIN), and a shell runner for them.

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace gitopsd::oracle {

struct run_result {
  int status;
  std::string out;
};

// Runs a shell command line; its standard output and exit status.
inline run_result run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 65536> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = ::pclose(pipe);
  return {status, out};
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline const std::string& tools_bin() {
  static const std::string bin = [] {
    if (const char* env = std::getenv("GITOPSD_TOOLS_BIN"); env != nullptr && *env != '\0') return std::string(env);
    auto r = run(quote(std::string(GITOPSD_SOURCE_DIR) + "/tests/cluster/tools.sh"));
    REQUIRE(r.status == 0);
    std::string path = r.out;
    while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
    if (auto nl = path.rfind('\n'); nl != std::string::npos) path = path.substr(nl + 1);
    return path;
  }();
  return bin;
}

}  // namespace gitopsd::oracle
