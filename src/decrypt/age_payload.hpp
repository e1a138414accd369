#pragma once
// The age payload: a 16-byte nonce, then ChaCha20-Poly1305 chunks of 64 KiB of plaintext under a
// key derived from the file key and the nonce; the last chunk is marked in its nonce.

#include "age_crypto.hpp"

namespace gitopsd::decrypt::detail {

inline constexpr std::size_t chunk_size = 64 * 1024;

// Checks every chunk, the final-chunk mark, and that nothing follows it; stops before the
// plaintext would exceed `max_plaintext`.
result<std::string> decrypt_payload(const file_key& key, std::string_view payload, std::size_t max_plaintext);
result<std::string> encrypt_payload(const file_key& key, std::string_view plaintext);

}  // namespace gitopsd::decrypt::detail
