#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <stdexcept>

namespace gitopsd::git {
namespace {

constexpr int max_link_hops = 40;

std::vector<std::string> split_segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty() && seg != ".") out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& segs) {
  std::string out;
  for (const auto& s : segs) out += (out.empty() ? "" : "/") + s;
  return out;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

memory_tree::memory_tree() { nodes_.emplace("", node{tree_entry::kind::directory, {}, {}, {}}); }
memory_tree::memory_tree(std::shared_ptr<const blob_loader> loader) : memory_tree() { loader_ = std::move(loader); }

void memory_tree::add(const std::string& path, node n) {
  auto slash = path.rfind('/');
  std::string parent = slash == std::string::npos ? "" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto it = nodes_.find(parent);
  // Callers add folders before their content; a child under a missing folder or a non-folder is a
  // bug of the caller (the snapshot reader refuses entry names holding '/').
  if (it == nodes_.end() || it->second.type != tree_entry::kind::directory || name.empty())
    throw std::invalid_argument("memory_tree: cannot add " + in_quotes(path) + ": its folder is missing");
  auto& children = it->second.children;
  tree_entry e{name, n.type};
  children.insert(std::upper_bound(children.begin(), children.end(), e,
                                   [](const tree_entry& a, const tree_entry& b) { return a.name < b.name; }),
                  e);
  nodes_.insert_or_assign(path, std::move(n));
  std::lock_guard held(find_memo_.lock);
  find_memo_.found.clear();
}

result<std::vector<named_file>> memory_tree::find_named(std::string_view dir, std::string_view name,
                                                        const walk_limits& lim) const {
  // Few distinct searches are ever made of one tree; past that they are not remembered.
  constexpr std::size_t max_searches = 16;
  std::string key = fmt::format("{}\n{}\n{}\n{}", dir, name, lim.max_folders, lim.max_depth);
  {
    std::lock_guard held(find_memo_.lock);
    if (auto it = find_memo_.found.find(key); it != find_memo_.found.end()) return it->second;
  }
  auto found = file_tree::find_named(dir, name, lim);
  // A failure (a blob that could not be loaded, a budget) is not kept: the next search tries again.
  if (found) {
    std::lock_guard held(find_memo_.lock);
    if (find_memo_.found.size() < max_searches) find_memo_.found.emplace(std::move(key), *found);
  }
  return found;
}

void memory_tree::add_directory(const std::string& path) { add(path, node{tree_entry::kind::directory, {}, {}, {}}); }
void memory_tree::add_file(const std::string& path, std::string content) {
  add(path, node{tree_entry::kind::file, std::move(content), {}, {}});
}
void memory_tree::add_lazy_file(const std::string& path, std::string id) {
  if (!loader_) throw std::invalid_argument("memory_tree: a lazy file " + in_quotes(path) + " needs a loader");
  node n{tree_entry::kind::file, id, std::move(id), {}};
  n.pending = true;
  add(path, std::move(n));
}
void memory_tree::add_symlink(const std::string& path, std::string target) {
  add(path, node{tree_entry::kind::symlink, std::move(target), {}, {}});
}

namespace {

// A plain path ("a/b/c": no "", "." or ".." segment, no leading or trailing '/').
bool is_plain(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  while (true) {
    auto slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

}  // namespace

result<std::string> memory_tree::resolve(std::string_view path, bool follow_last) const {
  if (!path.empty() && path.front() == '/')
    return make_error(errc::path_escape, "path " + in_quotes(path) + " is absolute; paths are relative to the tree");
  // Fast path: a stored path is its own real path when no folder above it is a link (children are
  // only ever added under directories). Walking segment by segment costs a lookup of every prefix,
  // which made deep trees quadratic per call and cubic per render.
  if (is_plain(path)) {
    auto it = nodes_.find(path);
    if (it != nodes_.end() && (!follow_last || it->second.type != tree_entry::kind::symlink)) return std::string(path);
  }
  std::deque<std::string> todo;
  for (auto& s : split_segments(path)) todo.push_back(std::move(s));
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string seg = std::move(todo.front());
    todo.pop_front();
    if (seg == "..") {
      if (done.empty()) return make_error(errc::path_escape, "path " + in_quotes(path) + " leaves the tree");
      done.pop_back();
      continue;
    }
    done.push_back(seg);
    std::string here = join(done);
    auto it = nodes_.find(here);
    if (it == nodes_.end()) return make_error(errc::path_not_found, "no such file or directory: " + in_quotes(path));
    const node& n = it->second;
    if (n.type == tree_entry::kind::symlink && (!todo.empty() || follow_last)) {
      if (++hops > max_link_hops)
        return make_error(errc::path_escape, "too many symlinks resolving " + in_quotes(path));
      const std::string& target = n.data;
      if (!target.empty() && target.front() == '/')
        return make_error(errc::path_escape,
                          "symlink " + in_quotes(here) + " -> " + in_quotes(target) + " points outside the tree");
      done.pop_back();
      // Check the target on its own first so the error names the link, not the requested path.
      auto segs = split_segments(target);
      std::size_t depth = done.size();
      for (const auto& s : segs) {
        if (s == "..") {
          if (depth == 0)
            return make_error(errc::path_escape,
                              "symlink " + in_quotes(here) + " -> " + in_quotes(target) + " points outside the tree");
          --depth;
        } else {
          ++depth;
        }
      }
      todo.insert(todo.begin(), segs.begin(), segs.end());
      continue;
    }
    if (!todo.empty() && n.type != tree_entry::kind::directory)
      return make_error(errc::not_a_directory, "not a directory: " + in_quotes(here) + " in " + in_quotes(path));
  }
  return join(done);
}

result<std::vector<tree_entry>> memory_tree::list(std::string_view dir) const {
  auto real = resolve(dir, true);
  if (!real) return real.error();
  const node& n = nodes_.find(*real)->second;
  if (n.type != tree_entry::kind::directory)
    return make_error(errc::not_a_directory, "not a directory: " + in_quotes(dir));
  return n.children;
}

result<std::string> memory_tree::read(std::string_view file) const {
  auto real = resolve(file, true);
  if (!real) return real.error();
  const node& n = nodes_.find(*real)->second;
  if (n.type != tree_entry::kind::file) return make_error(errc::not_a_directory, "not a file: " + in_quotes(file));
  // Renders on several threads may share this tree: loading (and the check) is under the lock.
  std::lock_guard lock(*load_mutex_);
  if (n.pending) {
    auto content = loader_->load(n.data, *real);
    if (!content) return content.error();  // not kept: a later read tries again
    n.data = std::move(*content);
    n.pending = false;
  }
  return n.data;
}

std::optional<std::string> memory_tree::content_id(std::string_view file) const {
  auto real = resolve(file, true);
  if (!real) return std::nullopt;
  const node& n = nodes_.find(*real)->second;
  if (n.type != tree_entry::kind::file || n.id.empty()) return std::nullopt;
  return n.id;
}

result<tree_entry::kind> memory_tree::stat(std::string_view path) const {
  auto real = resolve(path, true);
  if (!real) return real.error();
  return nodes_.find(*real)->second.type;
}

}  // namespace gitopsd::git
