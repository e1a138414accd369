#pragma once
// Cutting text that comes from Git or the cluster before it is written into an object.

#include <cstddef>
#include <string>
#include <string_view>

namespace gitopsd {

// At most `limit` bytes of `text`, cut before a UTF-8 character rather than inside one, with
// `marker` appended when anything was cut.
std::string cut_utf8(std::string text, std::size_t limit, std::string_view marker = "...");

}  // namespace gitopsd
