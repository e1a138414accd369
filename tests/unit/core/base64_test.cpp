#include "gitopsd/core/base64.hpp"

#include <catch2/catch.hpp>

using gitopsd::base64_decode;
using gitopsd::base64_encode;

TEST_CASE("base64 round-trips", "[base64]") {
  for (std::string s : std::initializer_list<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    CHECK(base64_decode(base64_encode(s)).value() == s);
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_decode("Zm9vYg==").value() == "foob");
  CHECK(base64_decode("Zm9v\nYmFy\r\n").value() == "foobar");  // wrapped lines
}

TEST_CASE("invalid base64 is refused without echoing it", "[base64]") {
  for (const char* bad : {"Zm9", "Zm9v!mFy", "Zm=vYmFy", "=m9vYmFy", "Zm9vY==="}) {
    auto r = base64_decode(bad);
    REQUIRE(r.has_error());
    CHECK(r.error().what() == "value is not valid base64");
  }
}
