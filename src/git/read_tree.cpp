#include "read_tree.hpp"

#include "gitopsd/git/errc.hpp"

#include <fmt/format.h>

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

struct walker {
  git_repository* repo;
  git_odb* odb;
  const tree_limits& limits;
  std::string_view url;
  std::string_view short_sha;
  memory_tree& out;
  std::uint64_t bytes = 0;
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
        return make_error(errc::too_large, fmt::format("{} at {}: more than {} files (limit)", url, short_sha, limits.max_files));
      // The size from the object header first: a hostile huge blob is refused before it is loaded.
      std::size_t header_size = 0;
      git_object_t header_type{};
      if (git_odb_read_header(&header_size, &header_type, odb, git_tree_entry_id(e)) == 0 &&
          bytes + header_size > limits.max_bytes)
        return make_error(errc::too_large, fmt::format("{} at {}: files exceed {} bytes (limit) at {}", url, short_sha,
                                                       limits.max_bytes, full));
      git_blob* raw = nullptr;
      if (git_blob_lookup(&raw, repo, git_tree_entry_id(e)) < 0)
        return make_error(errc::internal, fmt::format("reading {}: {}", full, lg2::last_error()));
      lg2::blob blob(raw);
      const auto size = static_cast<std::uint64_t>(git_blob_rawsize(blob.get()));
      bytes += size;
      if (bytes > limits.max_bytes)
        return make_error(errc::too_large, fmt::format("{} at {}: files exceed {} bytes (limit) at {}", url, short_sha,
                                                       limits.max_bytes, full));
      std::string content(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
      if (mode == GIT_FILEMODE_LINK)
        out.add_symlink(full, std::move(content));
      else
        out.add_file(full, std::move(content));
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
  lg2::odb odb(raw_odb);
  auto tree = std::make_shared<memory_tree>();
  walker w{repo, odb.get(), limits, url, sha, *tree};
  try {
    if (auto err = w.walk(start, "")) return *err;
  } catch (const std::exception& e) {  // e.g. std::bad_alloc: this snapshot fails, not the process
    return make_error(errc::internal, fmt::format("reading {} at {}: {}", url, sha, e.what()));
  }
  return std::shared_ptr<const file_tree>(std::move(tree));
}

}  // namespace gitopsd::git
