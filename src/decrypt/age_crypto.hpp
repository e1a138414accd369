#pragma once
// The primitives age is built from, on OpenSSL 3: X25519, HKDF-SHA256, HMAC-SHA256 and
// ChaCha20-Poly1305. Keys are fixed-size arrays wiped when they go out of scope.

#include "gitopsd/core/error.hpp"

#include <openssl/crypto.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace gitopsd::decrypt::detail {

template <std::size_t N>
struct secret_bytes {
  std::array<unsigned char, N> bytes{};
  secret_bytes() = default;
  secret_bytes(const secret_bytes&) = default;
  secret_bytes& operator=(const secret_bytes&) = default;
  ~secret_bytes() { OPENSSL_cleanse(bytes.data(), N); }
  [[nodiscard]] std::string_view view() const { return {reinterpret_cast<const char*>(bytes.data()), N}; }
};
using key32 = secret_bytes<32>;
using file_key = secret_bytes<16>;
using nonce12 = std::array<unsigned char, 12>;

// Fills `out` from the operating system's generator; false if it failed.
bool random_fill(unsigned char* out, std::size_t size);

// The public point of an X25519 secret scalar.
result<std::array<unsigned char, 32>> x25519_public(const key32& secret);
// X25519(secret, peer); fails for a peer point that gives the all-zero shared secret.
result<key32> x25519_shared(const key32& secret, std::string_view peer);

// HKDF-SHA256 with 32 bytes of output; an empty salt means no salt.
result<key32> hkdf_sha256(std::string_view ikm, std::string_view salt, std::string_view info);
result<std::array<unsigned char, 32>> hmac_sha256(const key32& key, std::string_view data);

// ChaCha20-Poly1305 without associated data: seal appends the 16-byte tag; open checks it and
// returns false (leaving `out` empty) when the ciphertext does not authenticate.
result<std::string> aead_seal(const key32& key, const nonce12& nonce, std::string_view plaintext);
result<bool> aead_open(const key32& key, const nonce12& nonce, std::string_view sealed, std::string& out);

// Overwrites a string's bytes before it is freed.
void wipe(std::string& s);

}  // namespace gitopsd::decrypt::detail
