#pragma once
// The real age tools (Debian package `age`) in a temporary folder: each command reads a file on
// stdin and writes one on stdout, so binary data passes through unchanged.

#include "../git/local_repo.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace gitopsd::test {

class age_cli {
 public:
  [[nodiscard]] std::filesystem::path path(const std::string& name) const { return dir_.path / name; }

  void write(const std::string& name, std::string_view content) const {
    std::ofstream out(path(name), std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    REQUIRE(out.good());
  }
  [[nodiscard]] std::string read(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  // Runs `program args` with `input` on stdin and returns its stdout; fails the test on an error.
  std::string run_tool(const std::string& program, const std::string& args, std::string_view input) {
    auto in = "in-" + std::to_string(++count_), out = "out-" + std::to_string(count_);
    write(in, input);
    run(program + " " + args + " < '" + path(in).string() + "' > '" + path(out).string() + "'");
    return read(out);
  }

  // age-keygen writes an identity file `name`; returns its recipient as `age-keygen -y` prints it.
  std::string keygen(const std::string& name) {
    run("age-keygen -o '" + path(name).string() + "'");
    return recipient_of(name);
  }
  std::string recipient_of(const std::string& name) {
    auto out = run_tool("age-keygen", "-y '" + path(name).string() + "'", "");
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }

 private:
  temp_dir dir_;
  int count_ = 0;
};

}  // namespace gitopsd::test
