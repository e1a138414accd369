#pragma once
// Shared helpers for the age tests: fresh identities and plaintexts of a given size.

#include "../render/print_error.hpp"
#include "gitopsd/decrypt/age.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace gitopsd::test {

inline decrypt::age_identity fresh_identity() {
  auto text = decrypt::age_generate_identity();
  REQUIRE(text);
  auto ids = decrypt::parse_age_identities(*text, "generated");
  REQUIRE(ids);
  REQUIRE(ids->size() == 1);
  return ids->front();
}

// Bytes that differ from chunk to chunk, so a reordered or repeated chunk would show.
inline std::string plaintext_of_size(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + i / 65536) & 0xff);
  return out;
}

// Where the payload starts: after the MAC line.
inline std::size_t payload_offset(const std::string& file) {
  auto mac = file.find("\n--- ");
  REQUIRE(mac != std::string::npos);
  return file.find('\n', mac + 1) + 1;
}

}  // namespace gitopsd::test
