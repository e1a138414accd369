#pragma once
// Internal: the text of a manifest file as kubectl reads it (byte order marks, UTF-16, invalid
// UTF-8), the characters go-yaml accepts, and strings as Go's JSON encoder writes them.

#include "gitopsd/core/error.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::render::detail {

// The text as UTF-8, or nullopt when it is already valid UTF-8 without a byte order mark. As
// kubectl's reader: a UTF-8 BOM is dropped, UTF-16 with a BOM is converted, and ill-formed
// sequences become U+FFFD.
std::optional<std::string> utf8_text(std::string_view text);

// go-yaml refuses control characters: only tab, line breaks and printable characters may appear.
std::optional<error> check_characters(std::string_view text, std::string_view file);

// Bytes as a Go string marshalled to JSON: every byte that is not part of valid UTF-8 becomes U+FFFD.
std::string go_json_string(std::string_view bytes);

// yaml-cpp writes the escapes \N and \_ as the single bytes 0x85 and 0xA0 instead of their UTF-8
// encoding; in a scalar that is otherwise valid UTF-8 these stray bytes can only come from them.
void repair_escaped_bytes(std::string& text);

// Base64 as Go's base64.StdEncoding decodes it (line breaks ignored, padding required), or nullopt.
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace gitopsd::render::detail
