#pragma once
// A counting pass over a YAML stream with libyaml's event parser, run before yaml-cpp builds its
// node graph (which costs hundreds of bytes per node): documents (empty ones too), values with
// aliases expanded, bytes of text with aliases expanded, and nesting depth are checked as they are
// read, so a hostile file is refused after reading at most one budget's worth of it.

#include "gitopsd/core/error.hpp"
#include "gitopsd/render/yaml.hpp"

#include <optional>
#include <string_view>

namespace gitopsd::render::detail {

// An error naming the file, the position and the budget, or nullopt when the stream fits. Syntax
// errors are left to the decoder, which reports them; counting stops there.
std::optional<error> check_yaml_budget(std::string_view text, std::string_view file, const limits& lim);

}  // namespace gitopsd::render::detail
