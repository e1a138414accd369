#include "gitopsd/core/filtered_tree.hpp"

#include "gitopsd/core/disk_tree.hpp"

#include <fmt/format.h>

#include <algorithm>
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
    std::string path = join(*norm, e.name);
    if (each_) each_(path);
    if (!hidden(path, type)) out.push_back(std::move(e));
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
  auto files = tree.find_named(start, ignore_file_name, {lim.max_folders, lim.max_depth});
  if (!files) return files.error();
  for (const auto& f : *files) {
    if (f.content.size() > lim.max_file_bytes)
      return make_error(std::make_error_code(std::errc::value_too_large),
                        fmt::format("{}: larger than {} bytes", f.path, lim.max_file_bytes));
    // Each file's patterns apply to its folder and below: the folder's segments.
    auto slash = f.path.rfind('/');
    std::string_view folder = slash == std::string::npos ? std::string_view() : std::string_view(f.path).substr(0, slash);
    std::vector<std::string> domain;
    for (std::size_t b = 0; b < folder.size();) {
      auto e = std::min(folder.find('/', b), folder.size());
      domain.emplace_back(folder.substr(b, e - b));
      b = e + 1;
    }
    auto read = read_ignore_patterns(f.content, domain);
    patterns.insert(patterns.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
  }
  if (extra) {
    auto read = read_ignore_patterns(*extra, {});
    patterns.insert(patterns.end(), std::make_move_iterator(read.begin()), std::make_move_iterator(read.end()));
  }
  return ignore_matcher::with_defaults(std::move(patterns));
}

}  // namespace gitopsd
