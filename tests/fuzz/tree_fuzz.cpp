// libFuzzer target for Git tree paths: each input line adds a folder, file or symlink ("d path",
// "f path", "l path target") to a memory tree the way the snapshot reader does, then every line's
// path is looked up. Any input must give an answer or an error: no crash, no endless link loop.
#include "gitopsd/git/snapshot.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  gitopsd::git::memory_tree tree;
  std::vector<std::string> paths;
  while (!in.empty()) {
    auto nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);
    if (line.size() < 2) continue;
    std::string_view arg = line.substr(2);
    auto space = arg.find(' ');
    std::string path(arg.substr(0, space));
    paths.push_back(path);
    try {
      if (line[0] == 'd') tree.add_directory(path);
      else if (line[0] == 'f') tree.add_file(path, "x");
      else if (line[0] == 'l' && space != std::string_view::npos) tree.add_symlink(path, std::string(arg.substr(space + 1)));
    } catch (const std::invalid_argument&) {
      // A child under a missing folder: refused by design (the snapshot reader never does it).
    }
  }
  for (const auto& p : paths) {
    (void)tree.list(p);
    (void)tree.read(p);
    (void)tree.stat(p);
  }
  return 0;
}
