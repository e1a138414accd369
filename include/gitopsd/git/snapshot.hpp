#pragma once
// An immutable view of one commit's tree under `path`, read from the object database into memory
// when the snapshot is made (so it stays valid when the cache is lost, and limits are checked once).
//
// Symlinks: followed only while they stay inside the snapshot's root (the tree at `path`); reading
// or stat-ing through a symlink that points outside, at an absolute path, or in a loop fails with
// errc::path_escape. `list` shows them as symlinks. Submodules (gitlinks) are skipped.

#include "gitopsd/core/file_tree.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace gitopsd::git {

struct commit_info {
  std::string sha;        // 40 hex
  std::string short_sha;  // first 7 hex
  std::string author;     // "Name <email>"
  std::string subject;    // first line of the message
  std::int64_t time = 0;  // author time, seconds since the epoch
};

struct tree_limits {
  std::uint64_t max_bytes = 256ull << 20;  // total size of all files
  std::size_t max_files = 50000;
};

// A file_tree held in memory; built by the snapshot reader, usable directly in tests.
class memory_tree final : public file_tree {
 public:
  memory_tree();
  // Parents must exist (add directories first); paths are '/'-separated and relative.
  void add_directory(const std::string& path);
  void add_file(const std::string& path, std::string content);
  void add_symlink(const std::string& path, std::string target);

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override;
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override;
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override { return resolve(path, true); }

 private:
  struct node {
    tree_entry::kind type;
    std::string data;  // file content or symlink target
    std::vector<tree_entry> children;
  };
  void add(const std::string& path, node n);
  // The real path of `path` inside the tree, following symlinks (the last one when follow_last).
  [[nodiscard]] result<std::string> resolve(std::string_view path, bool follow_last) const;
  std::map<std::string, node, std::less<>> nodes_;
};

struct snapshot {
  commit_info commit;
  std::string revision;  // "main@sha1:<40 hex>"
  std::string url;       // without credentials
  std::string path;      // the folder inside the repository, "" for the root
  std::shared_ptr<const file_tree> tree;
};

}  // namespace gitopsd::git
