#include "../../../src/git/operation.hpp"

#include <catch2/catch.hpp>

#include <cstdint>

using gitopsd::git::over_wire_allowance;

TEST_CASE("bytes on the wire may exceed a phase's budget by an eighth plus 1 MiB", "[operation]") {
  constexpr std::uint64_t mib = 1u << 20;
  const std::uint64_t room = 16 * mib;  // max-git-listing-bytes' default
  CHECK_FALSE(over_wire_allowance(0, room));
  CHECK_FALSE(over_wire_allowance(room, room));
  CHECK_FALSE(over_wire_allowance(room + 2 * mib + mib, room));  // 16 MiB + 3 MiB: the whole slack
  CHECK(over_wire_allowance(room + 3 * mib + 1, room));
  CHECK_FALSE(over_wire_allowance(mib, 0));  // a phase with no room still gets the framing MiB
  CHECK(over_wire_allowance(mib + 1, 0));
  CHECK_FALSE(over_wire_allowance(UINT64_MAX, UINT64_MAX));  // no budget set: no limit
}
