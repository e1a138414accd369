#pragma once
// Internal: double-quoted YAML scalars for the strings yaml-cpp's emitter cannot write: it turns
// every non-character (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) of a quoted string into U+FFFD.

#include <string>
#include <string_view>

namespace gitopsd::render::detail {

// Whether `s` holds a non-character.
bool has_noncharacter(std::string_view s);

// `s` as a double-quoted scalar escaped as yaml-cpp escapes with EscapeNonAscii (every character
// outside printable ASCII as \xNN, \uNNNN or \UNNNNNNNN), non-characters kept. Bytes that are not
// UTF-8 become U+FFFD, as yaml-cpp writes them.
std::string double_quoted(std::string_view s);

}  // namespace gitopsd::render::detail
