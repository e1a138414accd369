#pragma once
// The text forms of age X25519 keys: "age1..." recipients and "AGE-SECRET-KEY-1..." identities.

#include "age_crypto.hpp"
#include "gitopsd/decrypt/age.hpp"

namespace gitopsd::decrypt::detail {

result<std::array<unsigned char, 32>> parse_recipient(std::string_view text);
std::string format_recipient(const std::array<unsigned char, 32>& point);
// The identity of a secret scalar, its recipient derived.
result<age_identity> identity_from_secret(const key32& secret);

}  // namespace gitopsd::decrypt::detail
