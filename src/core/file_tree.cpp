#include "gitopsd/core/file_tree.hpp"

#include "gitopsd/core/disk_tree.hpp"

#include <fmt/format.h>

#include <system_error>

namespace gitopsd {

result<std::vector<named_file>> file_tree::find_named(std::string_view dir, std::string_view name,
                                                      const walk_limits& lim) const {
  auto root = normalize_tree_path(dir);
  if (!root) return root.error();
  struct folder {
    std::string path;
    std::size_t depth;
  };
  auto join = [](std::string_view parent, std::string_view child) {
    return parent.empty() ? std::string(child) : fmt::format("{}/{}", parent, child);
  };
  std::vector<named_file> found;
  // An explicit stack, pushed in reverse so the first name comes out first.
  std::vector<folder> stack{{*root, 0}};
  std::size_t folders = 0;
  while (!stack.empty()) {
    folder f = std::move(stack.back());
    stack.pop_back();
    if (++folders > lim.max_folders)
      return make_error(std::make_error_code(std::errc::value_too_large),
                        fmt::format("more than {} folders while looking for {} files", lim.max_folders, name));
    if (f.depth > lim.max_depth)
      return make_error(std::make_error_code(std::errc::value_too_large),
                        fmt::format("{}: folders nested deeper than {}", f.path, lim.max_depth));
    auto entries = list(f.path);
    if (!entries) return entries.error();
    std::vector<folder> children;
    for (const auto& e : *entries) {
      std::string path = join(f.path, e.name);
      if (e.type == tree_entry::kind::file && e.name == name) {
        auto text = read(path);
        if (!text) return text.error();
        found.push_back({std::move(path), std::move(*text)});
      } else if (e.type == tree_entry::kind::directory && e.name != ".git") {
        children.push_back({std::move(path), f.depth + 1});
      }
    }
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(std::move(*it));
  }
  return found;
}

}  // namespace gitopsd
