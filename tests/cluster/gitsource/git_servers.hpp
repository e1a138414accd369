#pragma once
// Repositories for the Git source's cluster tests: a bare repository in a server's repo_root, fed
// from a work repository by (force) pushes, so tests can move branches and re-create tags.

#include "../../unit/git/local_repo.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace gitopsd::test {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct served_repo {
  work_repo work;
  std::filesystem::path bare;
  served_repo(const std::filesystem::path& tmp, const std::filesystem::path& root, const std::string& name)
      : work(tmp / ("work-" + name)), bare(root / (name + ".git")) {
    std::filesystem::create_directories(root);
    run("git init -q --bare '" + bare.string() + "'");
  }
  std::string push(const std::string& refspec = "main") const {
    return work.git("push -q --force '" + bare.string() + "' " + refspec);
  }
};

}  // namespace gitopsd::test
