#pragma once
// Test helpers: throwaway Git repositories made with the git CLI, served as file:// URLs.

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace gitopsd::test {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gitopsd-test-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

inline std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = ::pclose(p);
  INFO(cmd << "\n" << out);
  REQUIRE(rc == 0);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A non-bare repository used as the remote.
struct work_repo {
  std::filesystem::path dir;
  explicit work_repo(std::filesystem::path d) : dir(std::move(d)) {
    std::filesystem::create_directories(dir);
    git("init -q -b main");
  }
  std::string git(const std::string& args) const {
    return run("git -C '" + dir.string() +
               "' -c user.name='Test Author' -c user.email=author@example.com -c commit.gpgsign=false "
               "-c tag.gpgsign=false " + args);
  }
  void write(const std::string& rel, const std::string& content) const {
    auto p = dir / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  void symlink(const std::string& rel, const std::string& target) const {
    auto p = dir / rel;
    std::filesystem::create_directories(p.parent_path());
    std::filesystem::create_symlink(target, p);
  }
  std::string commit(const std::string& message) const {
    git("add -A");
    git("commit -q --allow-empty -m '" + message + "'");
    return git("rev-parse HEAD");
  }
  std::string url() const { return "file://" + dir.string(); }
};

}  // namespace gitopsd::test
