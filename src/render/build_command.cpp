#include "gitopsd/render/build_command.hpp"

#include "gitopsd/core/disk_tree.hpp"

#include <cctype>
#include <vector>
#include <ostream>

namespace gitopsd::render {
namespace {

bool path_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-' || c == '~' || c == '/';
}

// Whether `name` stands at `at` of `text` as a whole path (or, with `below`, as the start of a
// longer path: "name/...").
bool path_at(std::string_view text, std::size_t at, std::string_view name, bool below) {
  if (text.compare(at, name.size(), name) != 0) return false;
  if (at > 0 && path_char(text[at - 1])) return false;
  std::size_t end = at + name.size();
  if (end == text.size()) return !below;
  if (text[end] == '/') return true;
  return !below && !path_char(text[end]);
}

}  // namespace

std::pair<std::filesystem::path, std::string> build_root(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::path full = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);
  std::filesystem::path root = full;
  while (true) {
    if (std::filesystem::exists(root / ".git", ec)) break;
    if (!root.has_relative_path()) break;  // reached "/"
    root = root.parent_path();
  }
  // The folder itself as the tree's root would leave its paths without a name to show it by.
  if (root == full && full.has_relative_path()) root = full.parent_path();
  std::string path = std::filesystem::relative(full, root, ec).generic_string();
  return {root, path == "." ? std::string() : path};
}

std::string show_paths(std::string_view message, std::string_view tree_dir, std::string_view user_dir,
                       std::string_view root) {
  if (tree_dir.empty()) return std::string(message);
  std::string shown(user_dir);
  while (shown.size() > 1 && shown.back() == '/') shown.pop_back();
  std::vector<std::string_view> above;  // the folders above tree_dir, deepest first
  for (auto slash = tree_dir.rfind('/'); slash != std::string_view::npos && slash > 0;
       slash = tree_dir.rfind('/', slash - 1))
    above.push_back(tree_dir.substr(0, slash));
  std::string top(root);
  if (top.empty() || top.back() != '/') top += '/';
  std::string out;
  out.reserve(message.size());
  for (std::size_t i = 0; i < message.size();) {
    if (path_at(message, i, tree_dir, false)) {
      out += shown;
      i += tree_dir.size();
      continue;
    }
    bool done = false;
    for (auto a : above) {
      if (!path_at(message, i, a, true)) continue;
      out += top;
      out += a;
      i += a.size();
      done = true;
      break;
    }
    if (!done) out += message[i++];
  }
  return out;
}

result<std::vector<manifest>> render_folder(const std::string& dir, const options& opts, source_options source) {
  // Kustomizations may reach up to sibling folders ("../base"): the tree is the enclosing Git
  // work tree (or the file system), and DIR a path inside it.
  auto [root, path] = build_root(dir);
  disk_tree tree(root);
  // .sourceignore files are looked for in the whole work tree, or only below DIR outside one.
  std::error_code ec;
  if (!std::filesystem::exists(root / ".git", ec)) {
    // DIR may also be one file: then its folder.
    bool folder = std::filesystem::is_directory(dir, ec);
    source.ignore_root = folder ? path : std::filesystem::path(path).parent_path().generic_string();
  }
  auto objects = render_source(tree, path, source, opts);
  if (!objects) return error{objects.error().code, show_paths(objects.error().what(), path, dir, root.generic_string())};
  return objects;
}

int run_build(const file_tree& tree, std::string_view path, output_format format, std::ostream& out, std::ostream& err,
              const options& opts, const source_options& source, std::string_view shown_as, std::string_view root) {
  auto objects = render_source(tree, path, source, opts);
  if (!objects) {
    std::string message = objects.error().what();
    if (!shown_as.empty()) message = show_paths(message, path, shown_as, root);
    err << "error: " << message << "\n";
    return 1;
  }
  out << (format == output_format::json ? to_json_list(*objects) : to_yaml_stream(*objects));
  return 0;
}

}  // namespace gitopsd::render
