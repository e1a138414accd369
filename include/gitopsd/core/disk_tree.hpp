#pragma once
// A file_tree over a folder on disk (for `gitopsd build DIR` and tests). Symlinks are followed only
// while they stay inside the root; one that leads outside is refused, as are ".." escapes.

#include "gitopsd/core/file_tree.hpp"

#include <filesystem>

namespace gitopsd {

class disk_tree final : public file_tree {
 public:
  explicit disk_tree(std::filesystem::path root);

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override;
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override;
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override;

 private:
  // The real path of a tree path, after checking that it and every link on the way stay inside.
  [[nodiscard]] result<std::filesystem::path> resolve(std::string_view path) const;
  std::filesystem::path root_;
};

// "a/./b/../c" -> "a/c"; fails when ".." climbs above the root or the path is absolute.
result<std::string> normalize_tree_path(std::string_view path);

}  // namespace gitopsd
