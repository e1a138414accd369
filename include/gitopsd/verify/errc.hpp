#pragma once
// Errors of signature verification. Messages name the commit or tag, the signing key's id or
// fingerprint and the cause; never key material beyond fingerprints.

#include "gitopsd/core/error.hpp"

namespace gitopsd::verify {

enum class errc {
  invalid_keys = 1,   // the Secret's keys cannot be read
  unsigned_object,    // no signature at all
  malformed,          // the signature block cannot be parsed
  unknown_key,        // signed by a key not in the key set
  bad_signature,      // the signature does not match the signed content
  key_expired,
  key_revoked,
  unsupported,        // a key or signature type this verifier does not handle
  mismatch,           // a signed tag that does not lead to the commit applied, or names another tag
  internal,           // the verifier itself failed (temporary keyring, GPGME)
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.verify";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::verify

template <>
struct boost::system::is_error_code_enum<gitopsd::verify::errc> : std::true_type {};
