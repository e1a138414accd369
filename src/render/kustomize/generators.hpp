#pragma once
#include "model.hpp"

namespace gitopsd::render::kustomize {
// One ConfigMap or Secret from a generator entry of `k`.
result<resource> generate(const file_tree& tree, const kustomization& k, const generator_spec& g, bool secret);
}  // namespace gitopsd::render::kustomize
