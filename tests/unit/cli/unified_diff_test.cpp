#include "gitopsd/cli/unified_diff.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <random>

using namespace gitopsd::cli;

namespace {

std::vector<std::string> lines(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

// Applying the script must give back both texts: kept and removed lines are `a`, kept and added `b`.
void check_script(const std::vector<std::string>& a, const std::vector<std::string>& b, std::size_t max_edits = 2000) {
  std::vector<std::string> old_side, new_side;
  for (const auto& l : diff_lines(a, b, max_edits)) {
    if (l.op != '+') old_side.push_back(l.text);
    if (l.op != '-') new_side.push_back(l.text);
  }
  REQUIRE(old_side == a);
  REQUIRE(new_side == b);
}

std::size_t edits(const std::vector<std::string>& a, const std::vector<std::string>& b, std::size_t max_edits = 2000) {
  std::size_t n = 0;
  for (const auto& l : diff_lines(a, b, max_edits)) n += l.op != ' ';
  return n;
}

}  // namespace

TEST_CASE("diff: split_lines", "[cli]") {
  CHECK(split_lines("").empty());
  CHECK(split_lines("a\nb\n") == lines({"a", "b"}));
  CHECK(split_lines("a\nb") == lines({"a", "b"}));
  CHECK(split_lines("\n\n") == lines({"", ""}));
}

TEST_CASE("diff: equal texts have no hunks", "[cli]") {
  auto a = lines({"a", "b", "c"});
  CHECK(unified_diff(a, a).empty());
  CHECK(unified_diff({}, {}).empty());
}

TEST_CASE("diff: one changed line in the middle, with three lines of context", "[cli]") {
  auto a = lines({"1", "2", "3", "4", "5", "6", "7", "8", "9"});
  auto b = a;
  b[4] = "five";
  auto hunks = unified_diff(a, b);
  REQUIRE(hunks.size() == 1);
  CHECK(format_hunks(hunks) == "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST_CASE("diff: the same hunk headers as diff -u", "[cli]") {
  // Created: everything added, the empty old range names line 0.
  CHECK(format_hunks(unified_diff({}, lines({"a", "b"}))) == "@@ -0,0 +1,2 @@\n+a\n+b\n");
  // Removed: everything gone.
  CHECK(format_hunks(unified_diff(lines({"a"}), {})) == "@@ -1 +0,0 @@\n-a\n");
  // A line added at the end of a long text: the empty range is not there, context before it.
  auto a = lines({"1", "2", "3", "4", "5"});
  auto b = a;
  b.push_back("6");
  CHECK(format_hunks(unified_diff(a, b)) == "@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+6\n");
  // Zero context: an insertion after line 2 is "-2,0".
  auto c = lines({"1", "2", "3"});
  auto d = lines({"1", "2", "x", "3"});
  CHECK(format_hunks(unified_diff(c, d, {.context = 0})) == "@@ -2,0 +3 @@\n+x\n");
}

TEST_CASE("diff: changes far apart make two hunks, close ones one", "[cli]") {
  std::vector<std::string> a;
  for (int i = 1; i <= 20; ++i) a.push_back(std::to_string(i));
  auto far = a;
  far[1] = "x";
  far[18] = "y";
  auto hunks = unified_diff(a, far);
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].old_start == 1);
  CHECK(hunks[1].old_start == 16);
  CHECK(hunks[1].old_count == 5);
  auto close = a;
  close[5] = "x";
  close[11] = "y";  // five kept lines between: under 2 x 3, one hunk
  CHECK(unified_diff(a, close).size() == 1);
}

TEST_CASE("diff: the script is a shortest one", "[cli]") {
  // The classic example of Myers' paper: ABCABBA -> CBABAC needs five edits.
  auto a = lines({"A", "B", "C", "A", "B", "B", "A"});
  auto b = lines({"C", "B", "A", "B", "A", "C"});
  check_script(a, b);
  CHECK(edits(a, b) == 5);
  check_script({}, b);
  check_script(a, {});
}

TEST_CASE("diff: random texts give back both sides", "[cli]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> a, b;
    std::uniform_int_distribution<int> len(0, 30), word(0, 4);
    for (int i = len(rng); i > 0; --i) a.push_back(fmt::format("{}", word(rng)));
    for (int i = len(rng); i > 0; --i) b.push_back(fmt::format("{}", word(rng)));
    check_script(a, b);
  }
}

TEST_CASE("diff: past the edit limit the middle is replaced whole, still a correct diff", "[cli]") {
  std::vector<std::string> a, b;
  for (int i = 0; i < 5000; ++i) {
    a.push_back(fmt::format("a{}", i));
    b.push_back(fmt::format("b{}", i));
  }
  a.insert(a.begin(), "head");
  b.insert(b.begin(), "head");
  check_script(a, b, 100);
  CHECK(edits(a, b, 100) == 10000);
  // Under the limit the shortest script is found: one line changed among many kept.
  std::vector<std::string> c(a), d(a);
  d[2500] = "changed";
  CHECK(edits(c, d, 100) == 2);
  // One hundred thousand lines with a change at each end: head and tail trimming keeps it quick.
  std::vector<std::string> big;
  for (int i = 0; i < 100000; ++i) big.push_back(fmt::format("line {}", i));
  auto changed = big;
  changed.front() = "first";
  changed.back() = "last";
  auto hunks = unified_diff(big, changed);
  CHECK(hunks.size() == 2);
}
