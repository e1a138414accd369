// libFuzzer target for the kustomization reader and the build: the input is a kustomization file
// beside a few fixed resources; any input must build or fail with an error.
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fixed_tree tree;
  tree.files["kustomization.yaml"] = std::string(reinterpret_cast<const char*>(data), size);
  tree.files["deploy.yaml"] =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n"
      "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n"
      "        image: nginx:1\n        envFrom:\n        - configMapRef: {name: cfg}\n";
  tree.files["cm.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: b\n";
  tree.files["patch.yaml"] = "- op: add\n  path: /metadata/labels\n  value: {x: y}\n";
  tree.files["vars.env"] = "A=1\nB=2\n";
  gitopsd::render::options opts;
  opts.yaml.max_file_bytes = 1 << 16;
  opts.yaml.max_nodes = 100000;
  opts.yaml.max_bytes = 4u << 20;
  (void)gitopsd::render::kustomize::build(tree, "", opts);
  return 0;
}
