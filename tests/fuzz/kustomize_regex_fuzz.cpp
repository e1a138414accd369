// libFuzzer target for patterns from a repository: the first line is a patch target's name
// pattern and image name, the second a label selector, the rest an object name. Any input must
// build or fail with an error, in linear time.
#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/kustomize.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace {

class fixed_tree final : public gitopsd::file_tree {
 public:
  std::map<std::string, std::string> files;
  gitopsd::result<std::vector<gitopsd::tree_entry>> list(std::string_view) const override {
    std::vector<gitopsd::tree_entry> out;
    for (const auto& [name, _] : files) out.push_back({name, gitopsd::tree_entry::kind::file});
    return out;
  }
  gitopsd::result<std::string> read(std::string_view file) const override {
    auto it = files.find(std::string(file));
    if (it == files.end()) return gitopsd::make_error(std::make_error_code(std::errc::no_such_file_or_directory), "missing");
    return it->second;
  }
  gitopsd::result<gitopsd::tree_entry::kind> stat(std::string_view path) const override {
    if (path.empty()) return gitopsd::tree_entry::kind::directory;
    if (files.count(std::string(path)) == 0)
      return gitopsd::make_error(std::make_error_code(std::errc::no_such_file_or_directory), "missing");
    return gitopsd::tree_entry::kind::file;
  }
};

// A YAML double-quoted scalar holding `s` (any bytes: escaped).
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20 || c >= 0x7f) out += "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15];
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto first = in.find('\n');
  std::string_view pattern = in.substr(0, first);
  std::string_view rest = first == std::string_view::npos ? std::string_view() : in.substr(first + 1);
  auto second = rest.find('\n');
  std::string_view selector = rest.substr(0, second);
  std::string_view name = second == std::string_view::npos ? std::string_view("a") : rest.substr(second + 1);
  fixed_tree tree;
  tree.files["kustomization.yaml"] =
      "resources:\n- res.yaml\npatches:\n- target:\n    name: " + quoted(pattern) + "\n    labelSelector: " +
      quoted(selector) + "\n  patch: |\n    - op: add\n      path: /metadata/annotations\n      value: {hit: \"1\"}\n"
      "images:\n- name: " + quoted(pattern) + "\n  newTag: \"2\"\n";
  tree.files["res.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + quoted(name) +
                           "\n  labels: {app: web}\nspec:\n  containers:\n  - name: c\n    image: " + quoted(name) + "\n";
  (void)gitopsd::render::kustomize::build(tree, "", {});
  return 0;
}
