#pragma once
// Bech32 (BIP 173, not bech32m), the text form of age keys: "age1..." recipients and
// "AGE-SECRET-KEY-1..." identities. Errors never quote the input: it may be a secret key.

#include "gitopsd/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

struct bech32_data {
  std::string hrp;                  // lower case
  std::vector<unsigned char> data;  // 8-bit bytes
};

// Encodes `data` under the lower-case `hrp`; `upper` gives the all-upper-case form.
std::string bech32_encode(std::string_view hrp, const std::vector<unsigned char>& data, bool upper);

// Decodes all-lower or all-upper-case text; mixed case, a bad checksum or bad padding is an error
// (errc::malformed; callers re-code it for their key kind).
result<bech32_data> bech32_decode(std::string_view text);

}  // namespace gitopsd::decrypt
