#pragma once
// Internal: yaml-cpp's own parser run once with nothing built, counting its documents and values,
// before the decoder builds them. yaml-cpp 0.7 has inputs on which it makes empty documents
// without reading further, forever (a ',' after a document's value, reached in more ways than a
// scan of the text can follow); counted here, they stop at the document limit instead of growing
// memory without bound.

#include "gitopsd/core/error.hpp"
#include "gitopsd/render/yaml.hpp"

#include <optional>
#include <string_view>

namespace gitopsd::render::detail {

// An error naming `file` when yaml-cpp would read more than lim.max_documents documents (empty ones
// included) or lim.max_nodes values; nothing otherwise, also when yaml-cpp fails (the decoder then
// reports that failure in its words).
std::optional<error> check_yaml_cpp_counts(std::string_view text, std::string_view file, const limits& lim);

}  // namespace gitopsd::render::detail
