#include "gitopsd/core/duration.hpp"
#include "gitopsd/core/errc.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using gitopsd::format_duration;
using gitopsd::parse_duration;

TEST_CASE("durations parse as Go parses them", "[duration]") {
  CHECK(parse_duration("0").value() == 0ns);
  CHECK(parse_duration("90s").value() == 90s);
  CHECK(parse_duration("1m30s").value() == 90s);
  CHECK(parse_duration("1h").value() == 1h);
  CHECK(parse_duration("2h45m").value() == 2h + 45min);
  CHECK(parse_duration("300ms").value() == 300ms);
  CHECK(parse_duration("1.5h").value() == 90min);
  CHECK(parse_duration("1.1s").value() == 1100ms);
  CHECK(parse_duration(".5s").value() == 500ms);
  CHECK(parse_duration("5.s").value() == 5s);
  CHECK(parse_duration("10us").value() == 10us);
  CHECK(parse_duration("10\xC2\xB5s").value() == 10us);
  CHECK(parse_duration("10\xCE\xBCs").value() == 10us);
  CHECK(parse_duration("7ns").value() == 7ns);
  CHECK(parse_duration("-1m").value() == -1min);
  CHECK(parse_duration("+5s").value() == 5s);
  CHECK(parse_duration("0s").value() == 0ns);
  CHECK(parse_duration("2562047h").value() == 2562047h);
}

TEST_CASE("bad durations name the input and the cause", "[duration]") {
  auto check_error = [](std::string_view text, std::string_view cause) {
    auto r = parse_duration(text);
    REQUIRE(r.has_error());
    CHECK(r.error().code == gitopsd::core::errc::invalid_duration);
    CHECK_THAT(r.error().what(), Catch::Contains(std::string(text)) && Catch::Contains(std::string(cause)));
  };
  check_error("", "empty");
  check_error("-", "empty");
  check_error("10", "missing unit");
  check_error("1m30", "missing unit");
  check_error("5d", "unknown unit \"d\"");
  check_error("5 s", "unknown unit \" s\"");
  check_error("s", "expected a number");
  check_error(".s", "expected a number");
  check_error("9999999999999999999h", "too large");
  check_error("2562048h", "too large");
  check_error("2562047h47m17s", "too large");
  CHECK(parse_duration("2562047h47m16s").has_value());
}

TEST_CASE("durations format as Go formats them", "[duration]") {
  CHECK(format_duration(0ns) == "0s");
  CHECK(format_duration(90s) == "1m30s");
  CHECK(format_duration(1h) == "1h0m0s");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(300ms) == "300ms");
  CHECK(format_duration(1500us) == "1.5ms");
  CHECK(format_duration(2us) == "2\xC2\xB5s");
  CHECK(format_duration(7ns) == "7ns");
  CHECK(format_duration(-90s) == "-1m30s");
  CHECK(format_duration(26h + 3min + 4s) == "26h3m4s");
}

TEST_CASE("format and parse round-trip", "[duration]") {
  for (gitopsd::duration d : std::initializer_list<gitopsd::duration>{1ns, 999ns, 1us, 1ms + 1ns, 1s, 61s, 3601s, 100h + 1ns})
    CHECK(parse_duration(format_duration(d)).value() == d);
}
