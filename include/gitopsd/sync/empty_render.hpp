#pragma once
// The empty-render guard: a commit that renders no objects while the inventory holds some is far
// more often a mistake (a wrong spec.path, a deleted kustomization.yaml) than a wish to delete
// everything, so it prunes nothing unless spec.allowEmpty says so.

#include <cstddef>
#include <string>
#include <string_view>

namespace gitopsd::sync {

// True when the commit must not be applied (nor anything pruned).
bool refuse_empty_render(std::size_t rendered_objects, std::size_t inventory_size, bool allow_empty);

// The Ready message for a refused commit.
std::string empty_render_message(std::string_view revision, std::size_t inventory_size);

}  // namespace gitopsd::sync
