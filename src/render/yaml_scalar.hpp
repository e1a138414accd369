#pragma once
// Internal: plain-scalar resolution shared by the YAML reader and writer.

#include "gitopsd/render/yaml.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace gitopsd::render::detail {

struct scalar {
  scalar_kind kind = scalar_kind::string;
  bool truth = false;
  std::int64_t integer = 0;
  double real = 0;
};

scalar resolve_plain(std::string_view text);
std::string format_float32_key(double value);

}  // namespace gitopsd::render::detail
