#include "gitopsd/core/filtered_tree.hpp"

#include "gitopsd/core/disk_tree.hpp"

#include <fmt/format.h>

#include <system_error>

namespace gitopsd {
namespace {

error missing(std::string_view path) {
  return make_error(std::make_error_code(std::errc::no_such_file_or_directory),
                    fmt::format("{}: excluded by ignore patterns", path));
}

std::string join(std::string_view dir, std::string_view name) {
  return dir.empty() ? std::string(name) : fmt::format("{}/{}", dir, name);
}

}  // namespace

bool filtered_tree::hidden(std::string_view path, tree_entry::kind type) const {
  bool dir = type == tree_entry::kind::directory;
  // A folder stays visible when a later `!` pattern may bring back a file inside it; the files
  // themselves are still matched one by one.
  if (dir && matcher_.has_includes()) return false;
  return matcher_.excluded(path, dir);
}

result<std::vector<tree_entry>> filtered_tree::list(std::string_view dir) const {
  auto entries = base_.list(dir);
  if (!entries) return entries;
  auto norm = normalize_tree_path(dir);
  if (!norm) return norm.error();
  if (!norm->empty() && hidden(*norm, tree_entry::kind::directory)) return missing(dir);
  std::vector<tree_entry> out;
  for (auto& e : *entries) {
    auto type = e.type;
    if (type == tree_entry::kind::symlink) {
      auto target = base_.stat(join(*norm, e.name));
      if (target) type = *target;
    }
    if (!hidden(join(*norm, e.name), type)) out.push_back(std::move(e));
  }
  return out;
}

result<std::string> filtered_tree::read(std::string_view file) const {
  auto norm = normalize_tree_path(file);
  if (!norm) return norm.error();
  if (hidden(*norm, tree_entry::kind::file)) return missing(file);
  return base_.read(file);
}

result<tree_entry::kind> filtered_tree::stat(std::string_view path) const {
  auto kind = base_.stat(path);
  if (!kind) return kind;
  auto norm = normalize_tree_path(path);
  if (!norm) return norm.error();
  if (!norm->empty() && hidden(*norm, *kind)) return missing(path);
  return kind;
}

result<ignore_matcher> load_ignore_rules(const file_tree& tree, const std::optional<std::string>& extra,
                                         std::string_view start, const ignore_limits& lim) {
  std::vector<ignore_pattern> patterns;
  // Depth first, parents before children, siblings in name order: an explicit stack, pushed in
  // reverse so the first name comes out first.
  struct folder {
    std::string path;
    std::vector<std::string> domain;
  };
  auto root = normalize_tree_path(start);
  if (!root) return root.error();
  std::vector<std::string> root_domain;
  for (std::size_t b = 0; b < root->size();) {
    auto e = root->find('/', b);
    if (e == std::string::npos) e = root->size();
    root_domain.push_back(root->substr(b, e - b));
    b = e + 1;
  }
  std::vector<folder> stack{{*root, root_domain}};
  std::size_t folders = 0;
  while (!stack.empty()) {
    folder f = std::move(stack.back());
    stack.pop_back();
    if (++folders > lim.max_folders)
      return make_error(std::make_error_code(std::errc::value_too_large),
                        fmt::format("more than {} folders while looking for {} files", lim.max_folders, ignore_file_name));
    if (f.domain.size() - root_domain.size() > lim.max_depth)
      return make_error(std::make_error_code(std::errc::value_too_large),
                        fmt::format("{}: folders nested deeper than {}", f.path, lim.max_depth));
    auto entries = tree.list(f.path);
    if (!entries) return entries.error();
    std::vector<folder> children;
    for (const auto& e : *entries) {
      std::string path = join(f.path, e.name);
      if (e.type == tree_entry::kind::file && e.name == ignore_file_name) {
        auto text = tree.read(path);
        if (!text) return text.error();
        if (text->size() > lim.max_file_bytes)
          return make_error(std::make_error_code(std::errc::value_too_large),
                            fmt::format("{}: larger than {} bytes", path, lim.max_file_bytes));
        auto read = read_ignore_patterns(*text, f.domain);
        patterns.insert(patterns.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
      } else if (e.type == tree_entry::kind::directory && e.name != ".git") {
        auto domain = f.domain;
        domain.push_back(e.name);
        children.push_back({std::move(path), std::move(domain)});
      }
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(std::move(*it));
  }
  if (extra) {
    auto read = read_ignore_patterns(*extra, {});
    patterns.insert(patterns.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
  }
  return ignore_matcher::with_defaults(std::move(patterns));
}

}  // namespace gitopsd
