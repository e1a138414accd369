#pragma once
// Native kustomize: builds a folder holding kustomization.yaml / kustomization.yml / Kustomization
// the way `kustomize build` v5 does, for the features real overlays use. Anything it does not
// support is an error naming the field and the file, never ignored.

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/render.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

// The kustomization file of `dir` ("dir/kustomization.yaml"), if it has one; a folder with more
// than one is an error, as in kustomize.
result<std::optional<std::string>> find_kustomization(const file_tree& tree, std::string_view dir);

// A folder holding Chart.yaml: refused with a message saying so.
bool is_helm_chart(const file_tree& tree, std::string_view dir);
error helm_chart_error(std::string_view dir);

result<std::vector<manifest>> build(const file_tree& tree, std::string_view dir, const options& opts = {});

// One resource of the kustomization Flux generates for a folder without one: a file (its objects
// already read) or a folder holding a kustomization.
struct folder_entry {
  std::string path;
  bool folder = false;
  std::vector<manifest> objects;
};

// Builds that generated kustomization: no transformers, so the objects as listed, duplicates
// refused and sorted as kustomize sorts them.
result<std::vector<manifest>> build_generated(const file_tree& tree, std::string_view dir,
                                              std::vector<folder_entry> entries, const options& opts = {});

}  // namespace gitopsd::render::kustomize
