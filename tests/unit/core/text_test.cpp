#include "gitopsd/core/text.hpp"

#include <catch2/catch.hpp>

using gitopsd::cut_utf8;

TEST_CASE("cut_utf8 keeps short text and cuts long text before a character", "[text]") {
  CHECK(cut_utf8("short", 5) == "short");
  CHECK(cut_utf8("longer", 4) == "long...");
  CHECK(cut_utf8("longer", 4, "") == "long");
  // "é" is two bytes: a cut after its first byte moves before it.
  CHECK(cut_utf8("ab\xc3\xa9z", 3) == "ab...");
  CHECK(cut_utf8("ab\xc3\xa9z", 4) == "ab\xc3\xa9...");
  // A four-byte character at the start: nothing of it is kept.
  CHECK(cut_utf8("\xf0\x9f\x98\x80x", 2) == "...");
  CHECK(cut_utf8("", 0) == "");
}
