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

// The kustomization file of `dir` ("dir/kustomization.yaml"), if it has one.
std::optional<std::string> find_kustomization(const file_tree& tree, std::string_view dir);

result<std::vector<manifest>> build(const file_tree& tree, std::string_view dir, const options& opts = {});

}  // namespace gitopsd::render::kustomize
