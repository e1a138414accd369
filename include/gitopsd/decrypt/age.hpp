#pragma once
// The age v1 file format (age-encryption.org/v1) with X25519 recipients, on OpenSSL. Used to
// decrypt SOPS data keys; errors never carry key material or plaintext.

#include "gitopsd/core/error.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

struct age_identity {
  std::array<unsigned char, 32> secret{};
  std::string recipient;  // "age1...", the public key derived from `secret`

  age_identity() = default;
  age_identity(const age_identity&) = default;
  age_identity(age_identity&&) = default;
  age_identity& operator=(const age_identity&) = default;
  age_identity& operator=(age_identity&&) = default;
  ~age_identity();  // wipes the secret
};

// An age identity file: "AGE-SECRET-KEY-1..." lines; '#' comments and blank lines are skipped.
// Any other line is an error naming `source` and the line number, never the line.
result<std::vector<age_identity>> parse_age_identities(std::string_view text, std::string_view source);

// Decrypts a binary or ASCII-armored age file with the first identity that unwraps one of its
// X25519 stanzas; other stanza types are skipped (an scrypt stanza must be the only one). The
// header MAC and every payload chunk are verified; more than `max_plaintext` bytes is an error.
result<std::string> age_decrypt(std::string_view file, const std::vector<age_identity>& ids,
                                std::size_t max_plaintext);

// Encrypts to X25519 recipients ("age1..."), binary or armored.
result<std::string> age_encrypt(std::string_view plaintext, const std::vector<std::string>& recipients, bool armor);

// A fresh identity, as age-keygen makes: the "AGE-SECRET-KEY-1..." text.
result<std::string> age_generate_identity();

}  // namespace gitopsd::decrypt
