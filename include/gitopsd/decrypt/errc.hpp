#pragma once
// Errors of decryption (age files and identities, SOPS files). Messages name the file or key source and what
// failed; never key material or plaintext.

#include "gitopsd/core/error.hpp"

namespace gitopsd::decrypt {

enum class errc {
  invalid_identity = 1,  // an identity (secret key) cannot be read
  invalid_recipient,     // a recipient (public key) cannot be read
  malformed,             // the encrypted file's armor or header cannot be parsed
  no_identity,           // no identity given unwraps the file key
  bad_mac,               // an age header MAC, a SOPS value or a SOPS file MAC does not verify
  bad_payload,           // a payload chunk does not authenticate, or the payload is cut or extended
  too_large,             // the plaintext exceeds the caller's limit
  internal,              // the cryptographic library failed
  unsupported,           // a SOPS feature gitopsd does not implement (key groups, comment rules, INI)
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.decrypt";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::decrypt

template <>
struct boost::system::is_error_code_enum<gitopsd::decrypt::errc> : std::true_type {};
