#include "gitopsd/core/disk_tree.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gitopsd {
namespace fs = std::filesystem;

namespace {

error fs_error(std::errc code, std::string message) {
  return make_error(std::make_error_code(code), std::move(message));
}

bool inside(const fs::path& root, const fs::path& p) {
  auto r = root.begin();
  auto q = p.begin();
  for (; r != root.end(); ++r, ++q)
    if (q == p.end() || *r != *q) return false;
  return true;
}

}  // namespace

result<std::string> normalize_tree_path(std::string_view path) {
  if (!path.empty() && path.front() == '/') return fs_error(std::errc::invalid_argument, fmt::format("path \"{}\" is absolute", path));
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty())
        return fs_error(std::errc::operation_not_permitted, fmt::format("path \"{}\" leads outside the tree", path));
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (auto part : parts) {
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

disk_tree::disk_tree(fs::path root) {
  std::error_code ec;
  root_ = fs::weakly_canonical(root, ec);
  if (ec) root_ = fs::absolute(root);
}

result<fs::path> disk_tree::resolve(std::string_view path) const {
  auto norm = normalize_tree_path(path);
  if (!norm) return norm.error();
  fs::path current = root_;
  std::string_view rest = *norm;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    current /= std::string(part);
    std::error_code ec;
    auto status = fs::symlink_status(current, ec);
    if (ec || !fs::exists(status))
      return fs_error(std::errc::no_such_file_or_directory, fmt::format("{}: no such file or directory", path));
    if (fs::is_symlink(status)) {
      fs::path target = fs::weakly_canonical(current, ec);
      if (ec)  // a cycle of links, most often
        return fs_error(std::errc::too_many_symbolic_link_levels,
                        fmt::format("{}: symbolic link cannot be followed ({})", path, ec.message()));
      if (!inside(root_, target))
        return fs_error(std::errc::operation_not_permitted,
                        fmt::format("{}: symbolic link leads outside the tree", path));
      current = target;
    }
  }
  return current;
}

result<std::vector<tree_entry>> disk_tree::list(std::string_view dir) const {
  auto real = resolve(dir);
  if (!real) return real.error();
  std::error_code ec;
  if (!fs::is_directory(*real, ec))
    return fs_error(std::errc::not_a_directory, fmt::format("{}: not a directory", dir));
  std::vector<tree_entry> entries;
  for (fs::directory_iterator it(*real, ec), end; !ec && it != end; it.increment(ec)) {
    auto status = it->symlink_status(ec);
    if (ec) break;
    tree_entry::kind k = fs::is_symlink(status)     ? tree_entry::kind::symlink
                         : fs::is_directory(status) ? tree_entry::kind::directory
                                                    : tree_entry::kind::file;
    entries.push_back({it->path().filename().string(), k});
  }
  if (ec) return fs_error(std::errc::io_error, fmt::format("{}: {}", dir, ec.message()));
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return entries;
}

result<std::string> disk_tree::read(std::string_view file) const {
  auto real = resolve(file);
  if (!real) return real.error();
  std::error_code ec;
  if (!fs::is_regular_file(*real, ec))
    return fs_error(std::errc::is_a_directory, fmt::format("{}: not a regular file", file));
  std::ifstream in(*real, std::ios::binary);
  if (!in) return fs_error(std::errc::io_error, fmt::format("{}: cannot open", file));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

result<tree_entry::kind> disk_tree::stat(std::string_view path) const {
  auto real = resolve(path);
  if (!real) return real.error();
  std::error_code ec;
  return fs::is_directory(*real, ec) ? tree_entry::kind::directory : tree_entry::kind::file;
}

result<std::string> disk_tree::real_path(std::string_view path) const {
  auto real = resolve(path);
  if (!real) return real.error();
  std::string out = real->lexically_relative(root_).generic_string();
  return out == "." ? std::string() : out;
}

}  // namespace gitopsd
