#pragma once
// Internal: a scan of the raw text for what go-yaml v2 (and so kubectl) refuses but yaml-cpp reads
// (or loops forever on): a ',' that starts a token outside flow collections, an empty flow entry
// (`[1,, 2]`), the escape `\/` (YAML 1.2 only) and directives (`%YAML`, `%TAG`: kubectl splits
// documents at `---` lines, so a directive is always left without its document).

#include <cstddef>
#include <optional>
#include <string>

namespace gitopsd::render::detail {

struct prescan_finding {
  std::size_t line;    // 1-based
  std::size_t column;  // 1-based
  std::string what;
};

std::optional<prescan_finding> prescan_yaml(std::string_view text);

}  // namespace gitopsd::render::detail
