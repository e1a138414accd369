#pragma once
// A view of a file_tree without the files that ignore patterns exclude: rendering through it sees
// the repository as Flux's source-controller archives it. Excluded files and folders read as
// missing.

#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/core/ignore.hpp"

#include <functional>
#include <optional>
#include <string>

namespace gitopsd {

class filtered_tree final : public file_tree {
 public:
  // `base` must outlive the view. `each` is called with every path a listing matches against the
  // patterns (thousands of patterns and names take long: the caller's time budget may stop it).
  filtered_tree(const file_tree& base, ignore_matcher matcher, std::function<void(std::string_view)> each = {})
      : base_(base), matcher_(std::move(matcher)), each_(std::move(each)) {}

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override;
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override;
  // The base tree's answer: the symlink checks of kustomize generators see through the view.
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override { return base_.real_path(path); }

 private:
  [[nodiscard]] bool hidden(std::string_view path, tree_entry::kind type) const;
  const file_tree& base_;
  ignore_matcher matcher_;
  std::function<void(std::string_view)> each_;
};

// Budget of the search for `.sourceignore` files.
struct ignore_limits {
  std::size_t max_folders = 100'000;
  std::size_t max_depth = 256;
  std::size_t max_file_bytes = 1u << 20;
};

// The matcher for a tree: every `.sourceignore` file in it (each for its folder and below, parent
// folders first, sibling folders in name order), then `extra` (spec.ignore, for the whole tree),
// on top of Flux's default exclusions. Folders named `.git` are not searched. `start` limits the
// search to one folder and below (a local build outside any Git work tree).
result<ignore_matcher> load_ignore_rules(const file_tree& tree, const std::optional<std::string>& extra,
                                         std::string_view start = "", const ignore_limits& lim = {});

}  // namespace gitopsd
