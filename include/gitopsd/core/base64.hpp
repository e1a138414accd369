#pragma once
// Standard base64 (RFC 4648, with padding), as Kubernetes encodes Secret data; decoding skips
// line breaks and blanks.

#include "gitopsd/core/error.hpp"

#include <string>
#include <string_view>

namespace gitopsd {

result<std::string> base64_decode(std::string_view text);
std::string base64_encode(std::string_view data);

}  // namespace gitopsd
