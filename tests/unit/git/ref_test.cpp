#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/ref.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::git;

namespace {
const std::string A(40, 'a'), B(40, 'b'), C(40, 'c'), D(40, 'd'), E(40, 'e');
const std::vector<remote_ref> listing = {
    {"HEAD", A},
    {"refs/heads/main", A},
    {"refs/heads/dev", B},
    {"refs/tags/v1.0.0", C},          // lightweight
    {"refs/tags/v1.2.0", D},          // annotated: tag object D, commit E
    {"refs/tags/v1.2.0^{}", E},
    {"refs/tags/v2.0.0-rc.1", B},
};
}  // namespace

TEST_CASE("branches and tags resolve from the listing", "[ref]") {
  auto b = resolve(ref_spec::make_branch("dev"), listing, "https://h/r");
  REQUIRE(b.has_value());
  CHECK(b->refname == "refs/heads/dev");
  CHECK(b->oid == B);
  CHECK(b->oid_is_commit);
  CHECK(revision(*b, B) == "dev@sha1:" + B);

  auto light = resolve(ref_spec::make_tag("v1.0.0"), listing, "https://h/r");
  REQUIRE(light.has_value());
  CHECK(light->oid == C);
  CHECK_FALSE(light->oid_is_commit);  // may be a tag object: peeled after fetching

  auto annotated = resolve(ref_spec::make_tag("v1.2.0"), listing, "https://h/r");
  REQUIRE(annotated.has_value());
  CHECK(annotated->oid == E);
  CHECK(annotated->oid_is_commit);
  CHECK(revision(*annotated, E) == "v1.2.0@sha1:" + E);
}

TEST_CASE("semver picks the highest stable tag unless the range asks for prereleases", "[ref]") {
  auto s = resolve(ref_spec::make_semver(">=1.0.0"), listing, "https://h/r");
  REQUIRE(s.has_value());
  CHECK(s->label == "v1.2.0");
  CHECK(s->refname == "refs/tags/v1.2.0");
  CHECK(s->oid == E);
  auto pre = resolve(ref_spec::make_semver(">=1.0.0-0"), listing, "https://h/r");
  REQUIRE(pre.has_value());
  CHECK(pre->label == "v2.0.0-rc.1");
  auto none = resolve(ref_spec::make_semver("^3"), listing, "https://h/r");
  REQUIRE_FALSE(none.has_value());
  CHECK(none.error().code == errc::ref_not_found);
  CHECK(none.error().message == "semver range \"^3\" not found in https://h/r: no tag matches the range");
}

TEST_CASE("commits resolve with or without a branch", "[ref]") {
  auto bare = resolve(ref_spec::make_commit(B), listing, "u");
  REQUIRE(bare.has_value());
  CHECK(bare->refname.empty());
  CHECK(bare->wanted_commit == B);
  CHECK(revision(*bare, B) == "sha1:" + B);
  auto on = resolve(ref_spec::make_commit(B, "main"), listing, "u");
  REQUIRE(on.has_value());
  CHECK(on->refname == "refs/heads/main");
  CHECK(on->wanted_commit == B);
  CHECK(revision(*on, B) == "main@sha1:" + B);
  auto missing = resolve(ref_spec::make_commit(B, "gone"), listing, "u");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message == "branch \"gone\" not found in u");
}

TEST_CASE("unknown refs are named in the error", "[ref]") {
  auto b = resolve(ref_spec::make_branch("feature"), listing, "https://h/r");
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().code == errc::ref_not_found);
  CHECK(b.error().message == "branch \"feature\" not found in https://h/r");
  auto t = resolve(ref_spec::make_tag("v9"), listing, "https://h/r");
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().message == "tag \"v9\" not found in https://h/r");
}

TEST_CASE("ref specs are validated", "[ref]") {
  CHECK(validate(ref_spec::make_branch("feature/x")).has_value());
  auto bad = [](ref_spec r) {
    auto v = validate(std::move(r));
    REQUIRE_FALSE(v.has_value());
    return v.error();
  };
  CHECK(bad(ref_spec::make_branch("a..b")).message == "invalid branch \"a..b\": not a valid Git reference name");
  CHECK(bad(ref_spec::make_branch("")).code == errc::invalid_ref);
  CHECK(bad(ref_spec::make_tag("-x")).code == errc::invalid_ref);
  CHECK(bad(ref_spec::make_commit("abc")).message ==
        "invalid commit abc: a commit must be a full 40-character hexadecimal SHA-1");
  CHECK(bad(ref_spec::make_semver("nope")).code == errc::invalid_semver);
  auto upper = validate(ref_spec::make_commit(std::string(40, 'A')));
  REQUIRE(upper.has_value());
  CHECK(upper->value == std::string(40, 'a'));
}

TEST_CASE("a ref from command line options", "[ref]") {
  auto sha = std::string(40, 'a');
  CHECK(ref_from_options("main", "", "", "").value().type == ref_spec::kind::branch);
  CHECK(ref_from_options("", "v1", "", "").value().value == "v1");
  CHECK(ref_from_options("", "", "^1", "").value().type == ref_spec::kind::semver);
  auto c = ref_from_options("main", "", "", sha);
  REQUIRE(c.has_value());
  CHECK(c->type == ref_spec::kind::commit);
  CHECK(c->branch == "main");
  auto msg = [](gitopsd::result<ref_spec> r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::invalid_ref);
    return r.error().message;
  };
  CHECK(msg(ref_from_options("", "", "", "")) == "no ref given: use one of branch, tag, semver or commit");
  CHECK(msg(ref_from_options("main", "v1", "", "")) == "give only one of branch, tag or semver");
  CHECK(msg(ref_from_options("", "v1", "", sha)) == "a commit may only be combined with a branch");
  CHECK(msg(ref_from_options("", "", "", "abc")) ==
        "invalid commit abc: a commit must be a full 40-character hexadecimal SHA-1");
  CHECK(ref_from_options("", "", "nope", "").error().code == errc::invalid_semver);
}
