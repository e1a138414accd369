#pragma once
// A read-only tree of files: a folder on disk, or the tree of one Git commit read from the object
// database. Rendering reads manifests only through this, so it never touches paths outside the tree.

#include "gitopsd/core/error.hpp"

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd {

// A file found by file_tree::find_named.
struct named_file {
  std::string path;     // from the tree's root
  std::string content;
};

// Budget of a find_named walk.
struct walk_limits {
  std::size_t max_folders = 100'000;
  std::size_t max_depth = 256;  // levels below the start
};

struct tree_entry {
  enum class kind { file, directory, symlink };
  std::string name;  // one path segment
  kind type;
};

class file_tree {
 public:
  virtual ~file_tree() = default;
  // Paths are relative to the tree's root, '/'-separated, "" for the root itself; "..", absolute
  // paths and symlinks never lead outside the tree.
  // Entries of a directory, sorted by name (byte order).
  [[nodiscard]] virtual result<std::vector<tree_entry>> list(std::string_view dir) const = 0;
  [[nodiscard]] virtual result<std::string> read(std::string_view file) const = 0;
  // The entry's kind, or an error when it does not exist.
  [[nodiscard]] virtual result<tree_entry::kind> stat(std::string_view path) const = 0;
  // The path (normalized, as above) with every symlink on it resolved, relative to the root: where
  // kustomize checks a file against its kustomization's folder. Trees without symlinks keep the
  // default.
  [[nodiscard]] virtual result<std::string> real_path(std::string_view path) const { return std::string(path); }
  // An id that changes whenever the file's content does (Git's blob id), known without reading
  // the content; none where the tree keeps no such id.
  [[nodiscard]] virtual std::optional<std::string> content_id(std::string_view /*file*/) const { return std::nullopt; }
  // Every file called `name` in `dir` and below (folders named `.git` skipped), depth first,
  // parents before children, siblings in name order, with its content: a search that wants only
  // these files, not the folders it walks (a recording keeps just its result).
  [[nodiscard]] virtual result<std::vector<named_file>> find_named(std::string_view dir, std::string_view name,
                                                                   const walk_limits& lim) const;
};

}  // namespace gitopsd
