#include "read_tree.hpp"

#include "gitopsd/git/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <optional>

namespace gitopsd::git {
namespace {

// Folders below the snapshot's root; real repositories stay far below it, and each level costs
// the render a walk step and the recursion here a stack frame.
constexpr std::size_t max_folder_depth = 256;

// A tree entry name Git itself would never write: empty, ".", "..", or holding '/'. Such trees can
// be made with `git hash-object --literally` and pushed; the path they would form is ambiguous.
bool valid_entry_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

// Printable form of a hostile name for messages: control characters are escaped.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += static_cast<char>(c);
  }
  return out;
}

// Reads blobs of one snapshot from the object database on demand, counting every byte read against
// tree_limits::max_bytes; the header is read first, so a huge blob is refused before it is loaded.
class odb_loader final : public blob_loader {
 public:
  odb_loader(lg2::odb db, std::string url, std::string short_sha, std::uint64_t max_bytes)
      : odb_(std::move(db)), url_(std::move(url)), short_sha_(std::move(short_sha)), max_bytes_(max_bytes) {}

  result<std::string> load(const std::string& id, std::string_view path) const override {
    std::lock_guard lock(mutex_);
    git_oid oid;
    if (git_oid_fromstr(&oid, id.c_str()) < 0) return make_error(errc::internal, "bad object id " + id);
    std::size_t size = 0;
    git_object_t type{};
    if (git_odb_read_header(&size, &type, odb_.get(), &oid) < 0) return unreadable(path);
    if (size > max_bytes_ - std::min(read_, max_bytes_))
      return make_error(errc::too_large, fmt::format("{} at {}: files read exceed {} bytes (limit max-git-tree-bytes) at {}", url_,
                                                     short_sha_, max_bytes_, printable(path)));
    git_odb_object* raw = nullptr;
    if (git_odb_read(&raw, odb_.get(), &oid) < 0) return unreadable(path);
    std::unique_ptr<git_odb_object, lg2::deleter<git_odb_object, git_odb_object_free>> obj(raw);
    std::string content(static_cast<const char*>(git_odb_object_data(obj.get())), git_odb_object_size(obj.get()));
    read_ += content.size();
    return content;
  }

 private:
  error unreadable(std::string_view path) const {
    // The cache folder may have been replaced since the snapshot was made: the next one reads anew.
    return make_error(errc::cache, fmt::format("{} at {}: reading {}: {}", url_, short_sha_, printable(path),
                                               lg2::last_error()));
  }
  lg2::odb odb_;
  std::string url_, short_sha_;
  std::uint64_t max_bytes_;
  mutable std::mutex mutex_;
  mutable std::uint64_t read_ = 0;
};

struct walker {
  git_repository* repo;
  const odb_loader* loader;
  const tree_limits& limits;
  std::string_view url;
  std::string_view short_sha;
  memory_tree& out;
  std::size_t files = 0;

  std::size_t depth = 0;

  std::optional<error> walk(const git_tree* tree, const std::string& prefix) {
    const std::size_t n = git_tree_entrycount(tree);
    for (std::size_t i = 0; i < n; ++i) {
      const git_tree_entry* e = git_tree_entry_byindex(tree, i);
      const std::string name = git_tree_entry_name(e);
      if (!valid_entry_name(name))
        return make_error(errc::path_escape, fmt::format("{} at {}: tree {} holds an entry named \"{}\", which is not a valid file name",
                                                       url, short_sha, prefix.empty() ? "(root)" : printable(prefix), printable(name)));
      const std::string full = prefix.empty() ? name : prefix + "/" + name;
      const git_filemode_t mode = git_tree_entry_filemode(e);
      if (mode == GIT_FILEMODE_COMMIT) continue;  // submodule: not part of this repository's content
      if (mode == GIT_FILEMODE_TREE) {
        lg2::tree sub;
        git_tree* raw = nullptr;
        if (git_tree_lookup(&raw, repo, git_tree_entry_id(e)) < 0)
          return make_error(errc::internal, fmt::format("reading tree {}: {}", full, lg2::last_error()));
        sub.reset(raw);
        if (depth + 1 > max_folder_depth)
          return make_error(errc::too_large, fmt::format("{} at {}: folders nested deeper than {} (limit) at {}", url,
                                                         short_sha, max_folder_depth, printable(full)));
        out.add_directory(full);
        ++depth;
        auto err = walk(sub.get(), full);
        --depth;
        if (err) return err;
        continue;
      }
      if (++files > limits.max_files)
        return make_error(errc::too_large, fmt::format("{} at {}: more than {} files (limit max-git-tree-files)", url, short_sha, limits.max_files));
      if (mode != GIT_FILEMODE_LINK) {  // read when the render asks for it
        out.add_lazy_file(full, lg2::to_hex(*git_tree_entry_id(e)));
        continue;
      }
      // Symlink targets are needed to resolve paths: small, read now, counted like file content.
      auto target = loader->load(lg2::to_hex(*git_tree_entry_id(e)), full);
      if (!target) return target.error();
      out.add_symlink(full, std::move(*target));
    }
    return std::nullopt;
  }
};

}  // namespace

result<std::string> clean_repo_path(std::string_view path) {
  if (!path.empty() && path.front() == '/')
    return make_error(errc::path_escape, fmt::format("path \"{}\" must be relative to the repository root", path));
  std::string out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg == "..")
      return make_error(errc::path_escape, fmt::format("path \"{}\" leaves the repository (\"..\")", path));
    if (!seg.empty() && seg != ".") out += (out.empty() ? "" : "/") + std::string(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

commit_info describe_commit(const git_commit* commit) {
  commit_info info;
  info.sha = lg2::to_hex(*git_commit_id(commit));
  info.short_sha = info.sha.substr(0, 7);
  if (const git_signature* a = git_commit_author(commit)) {
    info.author = fmt::format("{} <{}>", a->name ? a->name : "", a->email ? a->email : "");
    info.time = a->when.time;
  }
  // git_commit_summary needs a non-const commit only for caching; it does not change the commit.
  if (const char* s = git_commit_summary(const_cast<git_commit*>(commit))) info.subject = s;
  return info;
}

result<std::shared_ptr<const file_tree>> read_tree(git_repository* repo, const git_commit* commit, const std::string& path,
                                                   const tree_limits& limits, std::string_view url) {
  const std::string sha = lg2::to_hex(*git_commit_id(commit)).substr(0, 7);
  git_tree* raw_root = nullptr;
  if (git_commit_tree(&raw_root, commit) < 0)
    return make_error(errc::internal, fmt::format("reading the tree of {}: {}", sha, lg2::last_error()));
  lg2::tree root(raw_root);
  lg2::tree sub;
  const git_tree* start = root.get();
  if (!path.empty()) {
    git_tree_entry* raw_entry = nullptr;
    if (git_tree_entry_bypath(&raw_entry, root.get(), path.c_str()) < 0)
      return make_error(errc::path_not_found, fmt::format("path \"{}\" not found in {} at {}", path, url, sha));
    lg2::tree_entry entry(raw_entry);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
      return make_error(errc::not_a_directory, fmt::format("path \"{}\" in {} at {} is not a directory", path, url, sha));
    git_tree* raw_sub = nullptr;
    if (git_tree_lookup(&raw_sub, repo, git_tree_entry_id(entry.get())) < 0)
      return make_error(errc::internal, fmt::format("reading tree {}: {}", path, lg2::last_error()));
    sub.reset(raw_sub);
    start = sub.get();
  }
  git_odb* raw_odb = nullptr;
  if (git_repository_odb(&raw_odb, repo) < 0)
    return make_error(errc::internal, fmt::format("opening the object database: {}", lg2::last_error()));
  // The loader holds its own reference to the object database, which outlives `repo`.
  auto loader = std::make_shared<odb_loader>(lg2::odb(raw_odb), std::string(url), sha, limits.max_bytes);
  auto tree = std::make_shared<memory_tree>(loader);
  walker w{repo, loader.get(), limits, url, sha, *tree};
  try {
    if (auto err = w.walk(start, "")) return *err;
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: this snapshot fails, not the process
    return make_error(errc::internal, fmt::format("reading {} at {}: {}", url, sha, e.what()));
  }
  return std::shared_ptr<const file_tree>(std::move(tree));
}

}  // namespace gitopsd::git
