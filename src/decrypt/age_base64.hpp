#pragma once
// The strict base64 forms age uses: unpadded in the header, padded in the armor. Both accept only
// the canonical encoding (no blanks, no line breaks, unused bits zero), so one file has one form.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::decrypt::detail {

std::string base64_encode(std::string_view data, bool padded);
// nullopt when `text` is not the canonical encoding of some bytes.
std::optional<std::string> base64_decode(std::string_view text, bool padded);

}  // namespace gitopsd::decrypt::detail
