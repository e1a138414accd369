// Bech32 (BIP 173) as age keys use it: round trips, BIP 173 test vectors, and the rejections.
#include "../render/print_error.hpp"
#include "gitopsd/decrypt/bech32.hpp"
#include "gitopsd/decrypt/errc.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::decrypt;

TEST_CASE("bech32 round trips bytes in lower and upper case") {
  std::vector<unsigned char> data;
  for (int i = 0; i < 32; ++i) data.push_back(static_cast<unsigned char>(i * 7 + 3));
  for (bool upper : {false, true}) {
    auto text = bech32_encode("age-secret-key-", data, upper);
    CHECK(text.rfind(upper ? "AGE-SECRET-KEY-1" : "age-secret-key-1", 0) == 0);
    auto back = bech32_decode(text);
    REQUIRE(back);
    CHECK(back->hrp == "age-secret-key-");
    CHECK(back->data == data);
  }
  auto empty = bech32_decode(bech32_encode("age", {}, false));
  REQUIRE(empty);
  CHECK(empty->data.empty());
}

TEST_CASE("bech32 accepts the BIP 173 valid test vectors") {
  for (const char* valid : {"A12UEL5L", "a12uel5l", "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                            "?1ezyfcl"}) {
    INFO(valid);
    CHECK(bech32_decode(valid));
  }
}

TEST_CASE("bech32 rejects a bad checksum, mixed case and bad characters") {
  std::vector<unsigned char> data(32, 0x42);
  auto text = bech32_encode("age", data, false);
  auto flipped = text;
  flipped.back() = flipped.back() == 'q' ? 'p' : 'q';
  auto bad_sum = bech32_decode(flipped);
  REQUIRE_FALSE(bad_sum);
  CHECK(bad_sum.error().code == errc::malformed);
  CHECK(bad_sum.error().message == "bech32: checksum does not match");

  auto mixed = text;
  mixed[0] = 'A';
  REQUIRE_FALSE(bech32_decode(mixed));
  CHECK(bech32_decode(mixed).error().message == "bech32: mixed case");

  CHECK_FALSE(bech32_decode("age1"));                    // no checksum
  CHECK_FALSE(bech32_decode("1qqqqqqqqqq"));             // empty HRP
  CHECK_FALSE(bech32_decode(text.substr(0, 10) + "b" + text.substr(11)));  // 'b' is not in the charset
  CHECK_FALSE(bech32_decode(std::string(2000, 'q')));    // too long
}

TEST_CASE("bech32 rejects non-zero padding bits and leftover groups") {
  // Both strings carry valid checksums; two 5-bit groups make one byte and 2 padding bits.
  auto canonical = bech32_decode("x1lu7rxnn5");
  REQUIRE(canonical);
  CHECK(canonical->data == std::vector<unsigned char>{0xff});
  auto set_bits = bech32_decode("x1llssn9at");  // the same byte with the padding bits set
  REQUIRE_FALSE(set_bits);
  CHECK(set_bits.error().message == "bech32: invalid padding");
  CHECK_FALSE(bech32_decode("x1lll07kp4e"));  // three groups: 7 bits left over
}
