#pragma once
// OpenPGP signatures through GPGME, each verification in its own temporary GNUPGHOME (made with
// mkdtemp, removed afterwards): only the given keys are known there, never a user's or a shared
// keyring. Signatures by expired or revoked keys, by keys not given, or that do not match, fail.

#include "gitopsd/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::verify {

struct openpgp_key {
  std::string name;     // the Secret key it came from, for messages
  std::string armored;  // "-----BEGIN PGP PUBLIC KEY BLOCK-----" ...
};

// Verifies a detached armored signature over `payload`; returns the signing key's fingerprint.
// `what` names the object in messages.
result<std::string> verify_openpgp(std::string_view signature, std::string_view payload,
                                   const std::vector<openpgp_key>& keys, std::string_view what);

}  // namespace gitopsd::verify
