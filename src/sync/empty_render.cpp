#include "gitopsd/sync/empty_render.hpp"

#include <fmt/format.h>

namespace gitopsd::sync {

bool refuse_empty_render(std::size_t rendered_objects, std::size_t inventory_size, bool allow_empty) {
  return rendered_objects == 0 && inventory_size > 0 && !allow_empty;
}

std::string empty_render_message(std::string_view revision, std::size_t inventory_size) {
  return fmt::format("{} renders no objects while the inventory holds {}; nothing was applied or pruned (set "
                     "spec.allowEmpty: true if an empty commit is meant)",
                     revision, inventory_size);
}

}  // namespace gitopsd::sync
