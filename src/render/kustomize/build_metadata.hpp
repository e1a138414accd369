#pragma once
// Internal: the last steps of a build, after it is sorted: the top kustomization's `buildMetadata`
// options and kustomize's clean-up of annotations.
#include "model.hpp"

namespace gitopsd::render::kustomize {

// managedByLabel labels every object as kustomize v5.8.1 does; the origin and transformer
// annotations are refused. Unknown options are ignored, as kustomize ignores them.
result<void> apply_build_metadata(resmap& ra, const kustomization& top);

// kustomize ends every build by rewriting each object's annotations without its own markers, and
// writing an empty map removes the field: a null or empty `metadata.annotations` is dropped.
void drop_empty_annotations(resmap& ra);

}  // namespace gitopsd::render::kustomize
