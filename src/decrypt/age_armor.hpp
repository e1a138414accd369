#pragma once
// The ASCII armor of age files (`age -a`, and how SOPS stores data keys): PEM-like begin and end
// lines around padded base64 in lines of 64 columns.

#include "gitopsd/core/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace gitopsd::decrypt::detail {

// True when the text, after leading whitespace, starts with the armor's begin line.
bool is_armored(std::string_view text);
// Stops with errc::too_large once the binary form would exceed `max_binary` bytes.
result<std::string> dearmor(std::string_view text, std::size_t max_binary);
std::string armor(std::string_view binary);

}  // namespace gitopsd::decrypt::detail
