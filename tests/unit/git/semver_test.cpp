#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/semver.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::git::semver;
namespace git = gitopsd::git;

namespace {
version v(const char* text) {
  auto p = parse_version(text);
  REQUIRE(p);
  return *p;
}
bool match(const char* r, const char* ver) {
  auto parsed = range::parse(r);
  REQUIRE(parsed.has_value());
  return parsed->matches(v(ver));
}
}  // namespace

TEST_CASE("versions parse with optional v prefix, prerelease and build", "[semver]") {
  auto a = v("v1.2.3-rc.1+build.7");
  CHECK(a.major == 1);
  CHECK(a.minor == 2);
  CHECK(a.patch == 3);
  CHECK(a.prerelease == std::vector<std::string>{"rc", "1"});
  CHECK(a.build == "build.7");
  CHECK(a.str() == "1.2.3-rc.1+build.7");
  CHECK(v("2").str() == "2.0.0");
  CHECK(v("1.4").str() == "1.4.0");
  CHECK_FALSE(parse_version("main"));
  CHECK_FALSE(parse_version("1.2.3.4"));
  CHECK_FALSE(parse_version("1.x"));
  CHECK_FALSE(parse_version("1.2.3-"));
  CHECK_FALSE(parse_version("1.2.3-a..b"));
  CHECK_FALSE(parse_version(""));
  CHECK_FALSE(parse_version("v"));
  CHECK_FALSE(parse_version("release-1.0"));
}

TEST_CASE("precedence follows semver 2.0", "[semver]") {
  // The ordered list from semver.org section 11.
  const char* ordered[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                           "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "10.0.0"};
  for (std::size_t i = 0; i + 1 < std::size(ordered); ++i) {
    INFO(ordered[i] << " < " << ordered[i + 1]);
    CHECK(compare(v(ordered[i]), v(ordered[i + 1])) < 0);
    CHECK(compare(v(ordered[i + 1]), v(ordered[i])) > 0);
  }
  CHECK(compare(v("1.0.0+a"), v("1.0.0+b")) == 0);
  CHECK(compare(v("v1.0.0"), v("1.0.0")) == 0);
}

TEST_CASE("comparators and AND groups", "[semver]") {
  CHECK(match(">=1.0.0 <2.0.0", "1.0.0"));
  CHECK(match(">=1.0.0 <2.0.0", "1.9.9"));
  CHECK_FALSE(match(">=1.0.0 <2.0.0", "2.0.0"));
  CHECK_FALSE(match(">=1.0.0 <2.0.0", "0.9.0"));
  CHECK(match(">=1.0.0, <2.0.0", "1.5.0"));
  CHECK(match(">= 1.0.0 < 2.0.0", "1.5.0"));
  CHECK(match(">1.2.3", "1.2.4"));
  CHECK_FALSE(match(">1.2.3", "1.2.3"));
  CHECK(match(">1.2", "1.3.0"));
  CHECK_FALSE(match(">1.2", "1.2.9"));
  CHECK(match("<=1.2", "1.2.9"));
  CHECK_FALSE(match("<=1.2", "1.3.0"));
  CHECK(match("<=1.2.3", "1.2.3"));
  CHECK_FALSE(match("<1.2.3", "1.2.3"));
  CHECK(match("=1.2.3", "1.2.3"));
  CHECK(match("1.2.3", "v1.2.3"));
  CHECK_FALSE(match("1.2.3", "1.2.4"));
  CHECK(match("!=1.2.3", "1.2.4"));
  CHECK_FALSE(match("!=1.2.3", "1.2.3"));
  CHECK_FALSE(match(">=1.0.0 !=1.2.x", "1.2.7"));
}

TEST_CASE("tilde, caret, wildcards, hyphen and OR", "[semver]") {
  CHECK(match("~1.2", "1.2.0"));
  CHECK(match("~1.2", "1.2.99"));
  CHECK_FALSE(match("~1.2", "1.3.0"));
  CHECK(match("~1.2.3", "1.2.5"));
  CHECK_FALSE(match("~1.2.3", "1.2.2"));
  CHECK(match("~1", "1.9.0"));
  CHECK_FALSE(match("~1", "2.0.0"));
  CHECK(match("~>1.2", "1.2.4"));
  CHECK(match("^1", "1.99.0"));
  CHECK_FALSE(match("^1", "2.0.0"));
  CHECK_FALSE(match("^1", "0.9.0"));
  CHECK(match("^1.2.3", "1.4.0"));
  CHECK_FALSE(match("^1.2.3", "1.2.2"));
  CHECK(match("^0.2.3", "0.2.9"));
  CHECK_FALSE(match("^0.2.3", "0.3.0"));
  CHECK(match("^0.0.3", "0.0.3"));
  CHECK_FALSE(match("^0.0.3", "0.0.4"));
  CHECK(match("1.2.x", "1.2.7"));
  CHECK_FALSE(match("1.2.x", "1.3.0"));
  CHECK(match("1.x", "1.3.0"));
  CHECK(match("1.2", "1.2.5"));
  CHECK(match("*", "7.0.0"));
  CHECK(match("x", "0.0.1"));
  CHECK(match("1.2 - 1.4.5", "1.4.5"));
  CHECK(match("1.2 - 1.4.5", "1.2.0"));
  CHECK_FALSE(match("1.2 - 1.4.5", "1.4.6"));
  CHECK(match("1.2.3 - 2.3", "2.3.9"));
  CHECK_FALSE(match("1.2.3 - 2.3", "2.4.0"));
  CHECK(match("^1 || ^3", "3.1.0"));
  CHECK_FALSE(match("^1 || ^3", "2.1.0"));
}

TEST_CASE("prereleases match only when the range asks for them", "[semver]") {
  CHECK_FALSE(match("*", "1.0.0-rc.1"));
  CHECK_FALSE(match(">=1.0.0", "1.1.0-rc.1"));
  CHECK_FALSE(match("^1", "1.1.0-beta"));
  CHECK(match(">=1.0.0-0", "1.1.0-rc.1"));
  CHECK(match(">=1.1.0-rc.1 <2.0.0", "1.1.0-rc.2"));
  CHECK_FALSE(match(">=1.1.0-rc.2 <2.0.0", "1.1.0-rc.1"));
  CHECK(match("1.0.0-rc.1", "1.0.0-rc.1"));
  // Only the OR branch that names a prerelease admits one.
  CHECK_FALSE(match("^2 || >=3.0.0-0 <3.1.0", "2.1.0-rc.1"));
  CHECK(match("^2 || >=3.0.0-0 <3.1.0", "3.0.5-rc.1"));
}

TEST_CASE("invalid ranges name the offending text", "[semver]") {
  auto bad = [](const char* text) {
    auto r = range::parse(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == git::errc::invalid_semver);
    return r.error().message;
  };
  CHECK(bad("") == "invalid semver range \"\": empty");
  CHECK(bad("banana") == "invalid semver range \"banana\": \"banana\" is not a version");
  CHECK(bad(">=") == "invalid semver range \">=\": operator \">=\" without a version");
  CHECK(bad("1.0 ||") == "invalid semver range \"1.0 ||\": empty alternative");
  CHECK(bad("=>>1.0") == "invalid semver range \"=>>1.0\": unsupported comparator \"=>>1.0\"");
  CHECK(bad("1.x.3") == "invalid semver range \"1.x.3\": \"1.x.3\" is not a version");
  CHECK(bad(">*") == "invalid semver range \">*\": unsupported comparator \">*\"");
}

TEST_CASE("the highest matching tag wins", "[semver]") {
  std::vector<std::string> tags = {"v1.0.0", "v1.2.0", "v1.10.0", "v2.0.0", "v1.11.0-rc.1", "latest", "v0.9.0"};
  auto r = range::parse(">=1.0.0 <2.0.0");
  REQUIRE(r.has_value());
  CHECK(pick_highest(*r, tags) == "v1.10.0");
  auto pre = range::parse(">=1.0.0-0 <2.0.0");
  REQUIRE(pre.has_value());
  CHECK(pick_highest(*pre, tags) == "v1.11.0-rc.1");
  auto none = range::parse("^3");
  REQUIRE(none.has_value());
  CHECK_FALSE(pick_highest(*none, tags));
  auto star = range::parse("*");
  REQUIRE(star.has_value());
  CHECK(pick_highest(*star, tags) == "v2.0.0");
  CHECK(pick_highest(*star, {"v1.0.0", "1.0.0"}) == "1.0.0");
}
