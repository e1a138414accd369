#pragma once
// SSH signatures as `git -c gpg.format=ssh` makes them: the sshsig format (OpenSSH's PROTOCOL.sshsig)
// in the "git" namespace, verified with OpenSSL against public keys in authorized_keys form.
// Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521, ssh-rsa (signatures rsa-sha2-256/512,
// at least 2048 bits). Security keys (sk-*) and certificates are refused as unsupported.

#include "gitopsd/core/error.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::verify {

struct ssh_public_key {
  std::string type;         // "ssh-ed25519", ...
  std::string blob;         // the wire-format key (the base64 field, decoded)
  std::string fingerprint;  // "SHA256:<base64 without padding>", as ssh-keygen -l prints it
};

// "SHA256:..." of a wire-format key.
std::string ssh_fingerprint(std::string_view blob);

// Every key of an authorized_keys text (blank and '#' lines skipped; options before the key type
// are allowed and ignored). `source` names the text in errors.
result<std::vector<ssh_public_key>> parse_authorized_keys(std::string_view text, std::string_view source);

struct sshsig {
  std::string public_key;      // wire-format key of the signer
  std::string namespace_;      // "git" for Git objects
  std::string hash_algorithm;  // "sha256" or "sha512"
  std::string signature;       // wire-format signature: string format, string bytes
};

// Parses an armored "-----BEGIN SSH SIGNATURE-----" block. Lengths are checked as they are read;
// trailing bytes, a wrong magic, version or namespace are errors (errc::malformed).
result<sshsig> parse_sshsig(std::string_view armored, std::string_view required_namespace = "git");

// Verifies `payload` against a parsed signature with the trusted key whose blob equals the
// signature's; returns that key's fingerprint. `what` names the object in messages.
result<std::string> verify_sshsig(const sshsig& sig, std::string_view payload, const std::vector<ssh_public_key>& trusted,
                                  std::string_view what);

}  // namespace gitopsd::verify
