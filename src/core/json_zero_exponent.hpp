#pragma once
// Internal: RapidJSON 1.1's full-precision number parsing normalises a significand of zero with
// clz(0), which is undefined, whenever the number's decimal exponent is outside its fast path
// (+-22): a zero with an exponent (`0e52`) or with a long fraction (`0.000...0`, 23 digits) reads
// as 7.7e25 in an optimised build. Such numbers are zero, and are rewritten as one before
// RapidJSON sees them, from Git (manifests) and from the network (API, webhooks) alike.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::json::detail {

// `text` starting with a JSON value: when that value holds such a number, a copy of the value with
// each one written `0.0` (`-0.0`) and padded with spaces, so offsets stay; nothing otherwise.
// Only the first value is looked at and copied (what follows may be YAML, where `0e5` is a string,
// or thousands more documents).
std::optional<std::string> zero_exponents_as_zero(std::string_view text);

}  // namespace gitopsd::json::detail
