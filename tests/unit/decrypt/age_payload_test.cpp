// The payload stream on its own, with a known file key: shapes our encryptor never writes but a
// hostile file can hold (an empty final chunk after a full one).
#include "../../../src/decrypt/age_payload.hpp"
#include "../render/print_error.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::decrypt;
using namespace gitopsd::decrypt::detail;

namespace {

nonce12 nonce_for(unsigned char counter, bool last) {
  nonce12 n{};
  n[10] = counter;
  n[11] = last ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("age payload: a full chunk followed by an empty final chunk is refused") {
  file_key key;
  key.bytes.fill(7);
  std::string nonce(16, 'n');
  auto stream_key = hkdf_sha256(key.view(), nonce, "payload");
  REQUIRE(stream_key);
  auto first = aead_seal(*stream_key, nonce_for(0, false), std::string(chunk_size, 'a'));
  auto empty_last = aead_seal(*stream_key, nonce_for(1, true), "");
  REQUIRE(first);
  REQUIRE(empty_last);
  auto r = decrypt_payload(key, nonce + *first + *empty_last, 1 << 20);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_payload);
  CHECK(r.error().message == "payload chunk 1 is an empty final chunk");

  // The same chunks with a short final one are a valid payload.
  auto short_last = aead_seal(*stream_key, nonce_for(1, true), "b");
  REQUIRE(short_last);
  auto ok = decrypt_payload(key, nonce + *first + *short_last, 1 << 20);
  REQUIRE(ok);
  CHECK(*ok == std::string(chunk_size, 'a') + "b");
}

TEST_CASE("age payload: our encryptor's empty plaintext is one empty final chunk") {
  file_key key;
  key.bytes.fill(9);
  auto payload = encrypt_payload(key, "");
  REQUIRE(payload);
  CHECK(payload->size() == 16 + 16);
  auto back = decrypt_payload(key, *payload, 0);
  REQUIRE(back);
  CHECK(back->empty());
}
