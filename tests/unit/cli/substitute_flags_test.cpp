#include "gitopsd/cli/substitute_flags.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <unistd.h>
#include <fstream>

using namespace gitopsd;

TEST_CASE("substitute-from-file: KEY=VALUE lines", "[cli]") {
  auto vars = cli::parse_variables_file("# comment\n\nA=1\nB=x=y\r\nEMPTY=\n", "vars.env");
  REQUIRE(vars.has_value());
  CHECK(*vars == render::variables{{"A", "1"}, {"B", "x=y"}, {"EMPTY", ""}});
  auto bad = cli::parse_variables_file("A=1\nnot a pair\n", "vars.env");
  REQUIRE(bad.has_error());
  CHECK(bad.error().what() == "vars.env:2: expected KEY=VALUE");
  auto name = cli::parse_variables_file("a-b=1\n", "vars.env");
  REQUIRE(name.has_error());
  CHECK_THAT(name.error().what(), Catch::Contains("'a-b' var name is invalid"));
}

TEST_CASE("substitute-from-file: a YAML map of strings", "[cli]") {
  auto vars = cli::parse_variables_file("A: \"1\"\nB: text\n", "vars.yaml");
  REQUIRE(vars.has_value());
  CHECK(*vars == render::variables{{"A", "1"}, {"B", "text"}});
  auto number = cli::parse_variables_file("A: 1\n", "vars.yml");
  REQUIRE(number.has_error());
  CHECK_THAT(number.error().what(), Catch::Contains("A is not a string"));
  auto list = cli::parse_variables_file("- a\n", "vars.json");
  REQUIRE(list.has_error());
  CHECK(cli::parse_variables_file("", "vars.yaml").has_value());
}

TEST_CASE("substitute flags win over files, later files over earlier ones", "[cli]") {
  char first[] = "/tmp/gitopsd-vars-XXXXXX";
  int fd = mkstemp(first);
  REQUIRE(fd >= 0);
  close(fd);
  { std::ofstream(first) << "A=file\nB=file\nC=file\n"; }
  std::string second = std::string(first) + ".yaml";
  { std::ofstream(second) << "B: second\nC: second\n"; }
  auto s = cli::substitution_from_flags({"C=flag"}, {first, second}, true);
  std::remove(first);
  std::remove(second.c_str());
  REQUIRE(s.has_value());
  CHECK(s->strict);
  CHECK(s->vars == render::variables{{"A", "file"}, {"B", "second"}, {"C", "flag"}});
  CHECK(cli::substitution_from_flags({"novalue"}, {}, false).has_error());
  CHECK(cli::substitution_from_flags({}, {"/nonexistent/vars.env"}, false).has_error());
  auto flag = cli::parse_variable_flag("K=a=b");
  REQUIRE(flag.has_value());
  CHECK(flag->second == "a=b");
}
