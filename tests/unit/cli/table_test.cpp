#include "gitopsd/cli/table.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace std::chrono;

TEST_CASE("table: columns padded to the widest cell, counted in characters", "[cli]") {
  auto text = cli::format_table({"NAME", "READY"}, {{"app", "True"}, {"überlang", "False"}});
  CHECK(text ==
        "NAME       READY\n"
        "app        True\n"
        "überlang   False\n");
}

TEST_CASE("table: control characters in a cell cannot break the line or reach the terminal", "[cli]") {
  auto text = cli::format_table({"MESSAGE"}, {{"line one\nline two\x1b[31m"}});
  CHECK(text == "MESSAGE\nline one line two [31m\n");
}

TEST_CASE("table: the painter sees the cell and its padding, widths ignore its escapes", "[cli]") {
  cli::painter paint = [](std::size_t column, const std::string& cell, const std::string& padded) {
    return column == 0 ? cli::colored_status(cell, padded) : padded;
  };
  auto text = cli::format_table({"READY", "X"}, {{"True", "1"}, {"False", "2"}}, paint);
  CHECK(text ==
        "READY   X\n"
        "\x1b[32mTrue\x1b[0m    1\n"
        "\x1b[31mFalse\x1b[0m   2\n");
}

TEST_CASE("one_line cuts long text at a character boundary", "[cli]") {
  CHECK(cli::one_line("abcdefghij", 6) == "abc...");
  CHECK(cli::one_line("ääääää", 5) == "ää...");
  CHECK(cli::one_line("short", 6) == "short");
}

TEST_CASE("one_line neutralises what a terminal would act on", "[cli]") {
  CHECK(cli::one_line("a\nb\rc\x1b[31md\x7f") == "a b c [31md ");
  // C1 controls in UTF-8: U+009B (CSI) and U+0085 (next line).
  CHECK(cli::one_line("x\xc2\x9b" "2Jy\xc2\x85z") == "x 2Jy z");
  // Bidi embeddings, overrides and isolates: U+202A..U+202E, U+2066..U+2069; line separators.
  CHECK(cli::one_line("a\xe2\x80\xae" "b\xe2\x80\xaa" "c\xe2\x81\xa6" "d\xe2\x81\xa9" "e") == "a b c d e");
  CHECK(cli::one_line("a\xe2\x80\xa8" "b") == "a b");
  // Bytes that are not UTF-8 (a lone C1 byte, a cut sequence, an overlong ESC) become '?'.
  CHECK(cli::one_line("a\x9b" "b") == "a?b");
  CHECK(cli::one_line("a\xe2\x80") == "a??");
  CHECK(cli::one_line("a\xc0\x9b") == "a??");
  // Printable text is kept: accents, CJK, emoji, U+00A0, and the neighbours of the ranges (U+202F, U+2065, U+206A).
  CHECK(cli::one_line("ä 日本 \xf0\x9f\x98\x80 \xc2\xa0 \xe2\x80\xa9" "x") == "ä 日本 \xf0\x9f\x98\x80 \xc2\xa0  x");
  CHECK(cli::one_line("\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa") == "\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
  CHECK(cli::one_line("\xe2\x80\xae\xe2\x80\xae\xe2\x80\xae" "abcdef", 6) == "   ...");
}

TEST_CASE("age as kubectl prints it", "[cli]") {
  CHECK(cli::format_age(seconds(45)) == "45s");
  CHECK(cli::format_age(seconds(192)) == "3m12s");
  CHECK(cli::format_age(minutes(12)) == "12m");
  CHECK(cli::format_age(hours(5) + minutes(10)) == "5h10m");
  CHECK(cli::format_age(hours(20)) == "20h");
  CHECK(cli::format_age(hours(76)) == "3d4h");
  CHECK(cli::format_age(days(12)) == "12d");
  CHECK(cli::format_age(days(800)) == "2y");
  CHECK(cli::format_age(seconds(-5)) == "0s");
}

TEST_CASE("metav1.Time is parsed with fractions and offsets, and anything else is refused", "[cli]") {
  auto t = cli::parse_time("2026-01-02T03:04:05Z");
  REQUIRE(t);
  CHECK(cli::parse_time("2026-01-02T03:04:05.123456789Z") == t);
  CHECK(cli::parse_time("2026-01-02T05:04:05+02:00") == t);
  CHECK_FALSE(cli::parse_time("2026-02-30T03:04:05Z"));
  CHECK_FALSE(cli::parse_time("yesterday"));
  CHECK_FALSE(cli::parse_time("2026-01-02T03:04:05"));
}

TEST_CASE("request stamps are RFC 3339 with nanoseconds, so two requests in a second differ", "[cli]") {
  auto base = sys_days(year{2026} / 12 / 1) + hours(23) + minutes(5) + seconds(7);
  CHECK(cli::request_stamp(base) == "2026-12-01T23:05:07.000000000Z");
  CHECK(cli::request_stamp(base + nanoseconds(1500)) == "2026-12-01T23:05:07.000001500Z");
  CHECK(cli::parse_time(cli::request_stamp(base + milliseconds(3))) == base);
}
