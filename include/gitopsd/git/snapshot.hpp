#pragma once
// An immutable view of one commit's tree under `path`. The folders, names and symlinks are read
// when the snapshot is made (limits on files and depth are checked then); a file's content is
// read from the object database the first time the render asks for it, and kept: a large file the
// render never reads (an asset beside the manifests) costs nothing. Content read in all is bounded
// by tree_limits::max_bytes. When the cache folder is replaced while a render still reads, that
// read fails and the next reconcile reads the new snapshot.
//
// Symlinks: followed only while they stay inside the snapshot's root (the tree at `path`); reading
// or stat-ing through a symlink that points outside, at an absolute path, or in a loop fails with
// errc::path_escape. `list` shows them as symlinks. Submodules (gitlinks) are skipped.

#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/verify/signed_object.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
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
  std::uint64_t max_bytes = 64ull << 20;  // content read from the snapshot's files in all
  std::size_t max_files = 50000;          // files (and symlinks) of the tree
};

// Where the content of a file added with add_lazy_file comes from; called under the tree's lock.
class blob_loader {
 public:
  virtual ~blob_loader() = default;
  // `id` as given to add_lazy_file; `path` for messages.
  [[nodiscard]] virtual result<std::string> load(const std::string& id, std::string_view path) const = 0;
};

// A file_tree held in memory; built by the snapshot reader, usable directly in tests.
class memory_tree final : public file_tree {
 public:
  memory_tree();
  explicit memory_tree(std::shared_ptr<const blob_loader> loader);
  // Parents must exist (add directories first); paths are '/'-separated and relative.
  void add_directory(const std::string& path);
  void add_file(const std::string& path, std::string content);
  // A file whose content the loader gives on its first read (needs the loader constructor).
  void add_lazy_file(const std::string& path, std::string id);
  void add_symlink(const std::string& path, std::string target);

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override;
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override;
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override { return resolve(path, true); }
  // The id given to add_lazy_file (the blob id); none for other files.
  [[nodiscard]] std::optional<std::string> content_id(std::string_view file) const override;
  // Remembered per search: every GitRepository of one commit looks for `.sourceignore` files
  // across the whole repository, and a fleet on one URL shares the commit's tree.
  [[nodiscard]] result<std::vector<named_file>> find_named(std::string_view dir, std::string_view name,
                                                           const walk_limits& lim) const override;

 private:
  // Found files by search; a copy of the tree starts with none (its files may change).
  struct find_memo {
    find_memo() = default;
    find_memo(const find_memo& /*other*/) {}
    find_memo& operator=(const find_memo& /*other*/) {
      found.clear();
      return *this;
    }
    std::mutex lock;
    std::map<std::string, std::vector<named_file>, std::less<>> found;
  };
  struct node {
    tree_entry::kind type;
    // File content or symlink target; a lazy file's id until its first read loads it (that read
    // changes only when the content is fetched, so it may happen in a const read, under *load_mutex_).
    mutable std::string data;
    std::string id;  // a lazy file's id, kept after its content is loaded
    std::vector<tree_entry> children;
    mutable bool pending = false;  // a lazy file not loaded yet
  };
  void add(const std::string& path, node n);
  // The real path of `path` inside the tree, following symlinks (the last one when follow_last).
  [[nodiscard]] result<std::string> resolve(std::string_view path, bool follow_last) const;
  std::map<std::string, node, std::less<>> nodes_;
  std::shared_ptr<const blob_loader> loader_;
  // Behind a pointer so the tree stays movable (and copyable, sharing the lock).
  std::shared_ptr<std::mutex> load_mutex_ = std::make_shared<std::mutex>();
  mutable find_memo find_memo_;
};

struct snapshot {
  commit_info commit;
  std::string revision;  // "main@sha1:<40 hex>"
  std::string url;       // without credentials
  std::string path;      // the folder inside the repository, "" for the root
  std::shared_ptr<const file_tree> tree;
  // The commit's signature and signed bytes, and the annotated tag's when the ref selected one.
  verify::revision_objects signed_objects;
};

}  // namespace gitopsd::git
