#pragma once
// The transformer configuration a kustomization's `crds` files add (see crds.cpp).
#include "transformer_config.hpp"

namespace gitopsd::render::kustomize {

result<transformer_config> load_crds_config(const file_tree& tree, const kustomization& k, const limits& lim);

}  // namespace gitopsd::render::kustomize
