#pragma once
// Internal: the top kustomization's `buildMetadata` options, applied after the build is sorted.
#include "model.hpp"

namespace gitopsd::render::kustomize {

// managedByLabel labels every object as kustomize v5.8.1 does; the origin and transformer
// annotations are refused. Unknown options are ignored, as kustomize ignores them.
result<void> apply_build_metadata(resmap& ra, const kustomization& top);

}  // namespace gitopsd::render::kustomize
