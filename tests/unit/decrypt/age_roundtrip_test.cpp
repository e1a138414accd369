// Our encryption read back by our decryption, and every way a file can be damaged after the header:
// a forged MAC, a changed, cut or extended payload, the wrong key, a plaintext over the limit.
#include "age_fixture.hpp"
#include "gitopsd/decrypt/errc.hpp"

using namespace gitopsd;
using namespace gitopsd::decrypt;
using gitopsd::test::fresh_identity;
using gitopsd::test::payload_offset;
using gitopsd::test::plaintext_of_size;

namespace {
constexpr std::size_t no_limit = 1 << 24;
constexpr std::size_t sealed_chunk = 65536 + 16;
}  // namespace

TEST_CASE("age encrypt then decrypt round trips every chunk boundary, binary and armored") {
  auto id = fresh_identity();
  for (std::size_t size : {0, 1, 65535, 65536, 65537, 200000}) {
    for (bool armored : {false, true}) {
      INFO("size " << size << (armored ? " armored" : " binary"));
      auto plain = plaintext_of_size(size);
      auto file = age_encrypt(plain, {id.recipient}, armored);
      REQUIRE(file);
      CHECK((file->rfind(armored ? "-----BEGIN AGE ENCRYPTED FILE-----\n" : "age-encryption.org/v1\n", 0) == 0));
      auto back = age_decrypt(*file, {id}, no_limit);
      REQUIRE(back);
      CHECK(*back == plain);
    }
  }
}

TEST_CASE("age decrypt tries every identity against every recipient") {
  auto a = fresh_identity(), b = fresh_identity(), c = fresh_identity();
  auto file = age_encrypt("two recipients", {a.recipient, b.recipient}, false);
  REQUIRE(file);
  for (const auto& ids : std::vector<std::vector<age_identity>>{{a}, {b}, {c, b}, {c, a}}) {
    auto back = age_decrypt(*file, ids, no_limit);
    REQUIRE(back);
    CHECK(*back == "two recipients");
  }
}

TEST_CASE("age decrypt with the wrong identity names the recipient count") {
  auto a = fresh_identity(), b = fresh_identity(), c = fresh_identity();
  auto one = age_encrypt("x", {a.recipient}, false);
  auto two = age_encrypt("x", {a.recipient, b.recipient}, true);
  REQUIRE(one);
  REQUIRE(two);
  auto r1 = age_decrypt(*one, {c}, no_limit);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code == errc::no_identity);
  CHECK(r1.error().message == "no identity matches any of the file's 1 X25519 recipient");
  auto r2 = age_decrypt(*two, {c}, no_limit);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message == "no identity matches any of the file's 2 X25519 recipients");
  CHECK_FALSE(age_decrypt(*one, {}, no_limit));
}

TEST_CASE("age decrypt refuses a tampered header MAC") {
  auto id = fresh_identity();
  auto file = age_encrypt("secret", {id.recipient}, false);
  REQUIRE(file);
  auto mac = file->find("\n--- ") + 5;
  (*file)[mac] = (*file)[mac] == 'A' ? 'B' : 'A';
  auto r = age_decrypt(*file, {id}, no_limit);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_mac);
  CHECK(r.error().message == "header MAC does not verify");
}

TEST_CASE("age decrypt refuses a changed payload chunk") {
  auto id = fresh_identity();
  auto file = age_encrypt(plaintext_of_size(200000), {id.recipient}, false);
  REQUIRE(file);
  for (std::size_t chunk : {0, 1, 3}) {
    auto bad = *file;
    bad[payload_offset(bad) + 16 + chunk * sealed_chunk + 100] ^= 0x01;
    auto r = age_decrypt(bad, {id}, no_limit);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::bad_payload);
    CHECK(r.error().message == "payload chunk " + std::to_string(chunk) + " does not authenticate");
  }
  auto bad_nonce = *file;
  bad_nonce[payload_offset(bad_nonce)] ^= 0x01;
  CHECK(age_decrypt(bad_nonce, {id}, no_limit).error().message == "payload chunk 0 does not authenticate");
}

TEST_CASE("age decrypt refuses a truncated file") {
  auto id = fresh_identity();
  auto file = age_encrypt(plaintext_of_size(200000), {id.recipient}, false);
  REQUIRE(file);
  auto start = payload_offset(*file);
  auto cut = [&](std::size_t size) { return age_decrypt(file->substr(0, size), {id}, no_limit); };

  // At a chunk boundary: the chunk before authenticates, but not as the final one.
  auto boundary = cut(start + 16 + 2 * sealed_chunk);
  REQUIRE_FALSE(boundary);
  CHECK(boundary.error().message == "payload chunk 1 is not final: the file is truncated");
  CHECK(cut(start + 16 + 2 * sealed_chunk + 500).error().message == "payload chunk 2 does not authenticate");
  CHECK(cut(start + 16 + 2 * sealed_chunk + 5).error().message == "payload chunk 2 is truncated");
  CHECK(cut(start + 16).error().message == "payload chunk 0 is missing: the file ends without a final chunk");
  CHECK(cut(start + 5).error().message == "payload is truncated before its nonce");
  CHECK(cut(start - 1).error().code == errc::malformed);
  CHECK(cut(file->size() - 1).error().message == "payload chunk 3 does not authenticate");
}

TEST_CASE("age decrypt refuses data after the final chunk") {
  auto id = fresh_identity();
  auto full = age_encrypt(plaintext_of_size(65536), {id.recipient}, false);
  auto small = age_encrypt("hello", {id.recipient}, false);
  REQUIRE(full);
  REQUIRE(small);
  auto r = age_decrypt(*full + "x", {id}, no_limit);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::bad_payload);
  CHECK(r.error().message == "payload chunk 0 is the final chunk but data follows it");
  CHECK(age_decrypt(*small + "x", {id}, no_limit).error().message == "payload chunk 0 does not authenticate");
  CHECK(age_decrypt(*full + *full, {id}, no_limit).error().code == errc::bad_payload);
}

TEST_CASE("age decrypt stops at the plaintext limit") {
  auto id = fresh_identity();
  auto file = age_encrypt(plaintext_of_size(100000), {id.recipient}, true);
  REQUIRE(file);
  CHECK(age_decrypt(*file, {id}, 100000));
  for (std::size_t limit : {0, 32, 65536, 99999}) {
    auto r = age_decrypt(*file, {id}, limit);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::too_large);
    CHECK(r.error().message == "plaintext is larger than " + std::to_string(limit) + " bytes");
  }
  auto key = age_encrypt(std::string(32, 'k'), {id.recipient}, true);
  REQUIRE(key);
  CHECK(age_decrypt(*key, {id}, 32));
}

TEST_CASE("age encrypt refuses bad recipients") {
  auto id = fresh_identity();
  CHECK(age_encrypt("x", {}, false).error().code == errc::invalid_recipient);
  auto upper = id.recipient;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto broken = id.recipient;
  broken.back() = broken.back() == 'q' ? 'p' : 'q';
  auto identity_text = age_generate_identity();
  REQUIRE(identity_text);
  for (const auto& bad : {upper, broken, *identity_text, std::string("ssh-ed25519 AAAA")}) {
    auto r = age_encrypt("x", {id.recipient, bad}, false);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_recipient);
    CHECK(r.error().message.rfind("recipient 2: ", 0) == 0);
  }
}

TEST_CASE("age decrypt refuses a file too large for the plaintext limit before decrypting it") {
  auto id = fresh_identity();
  auto file = age_encrypt(plaintext_of_size(300000), {id.recipient}, false);
  auto armored = age_encrypt(plaintext_of_size(300000), {id.recipient}, true);
  REQUIRE(file);
  REQUIRE(armored);
  auto r = age_decrypt(*file, {id}, 32);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::too_large);
  CHECK(r.error().message == "the encrypted file is larger than its plaintext limit allows");
  auto a = age_decrypt(*armored, {id}, 32);
  REQUIRE_FALSE(a);
  CHECK(a.error().message == "armor: the encrypted file is larger than its plaintext limit allows");
  CHECK(age_decrypt(*armored, {id}, 300000));
  CHECK(age_decrypt(*file, {id}, static_cast<std::size_t>(-1)));
}
