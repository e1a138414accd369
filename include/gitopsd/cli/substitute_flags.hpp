#pragma once
// `gitopsd build --substitute KEY=VALUE --substitute-from-file FILE --substitute-strict`: the
// postBuild variables of a local check. Files ending in .yaml, .yml or .json hold one map of
// strings; any other file holds KEY=VALUE lines (blank lines and lines starting with # skipped).
// Files are read in the order given, later ones win, and --substitute wins over every file.

#include "gitopsd/core/error.hpp"
#include "gitopsd/render/substitute.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::cli {

// The variables of one file's text; `name` decides the format and names it in errors.
result<render::variables> parse_variables_file(std::string_view text, std::string_view name);

// "KEY=VALUE" (the value may be empty and may hold '=').
result<std::pair<std::string, std::string>> parse_variable_flag(std::string_view flag);

result<render::substitution> substitution_from_flags(const std::vector<std::string>& pairs,
                                                     const std::vector<std::string>& files, bool strict);

}  // namespace gitopsd::cli
