#include "gitopsd/core/ignore.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

TEST_CASE("glob_match: Go filepath.Match on one name", "[ignore]") {
  CHECK(glob_match("*.yaml", "a.yaml"));
  CHECK(glob_match("*.yaml", ".yaml"));
  CHECK_FALSE(glob_match("*.yaml", "a.yml"));
  CHECK(glob_match("a*b*c", "aXbYbZc"));
  CHECK_FALSE(glob_match("a*b*c", "aXbYbZ"));
  CHECK(glob_match("?", "é"));  // one character, not one byte
  CHECK_FALSE(glob_match("??", "é"));
  CHECK(glob_match("[a-c]x", "bx"));
  CHECK_FALSE(glob_match("[^a-c]x", "bx"));
  CHECK(glob_match("[^a-c]x", "dx"));
  CHECK(glob_match("[!]", "!"));  // '!' is an ordinary character in a class, as in Go
  CHECK(glob_match("\\*", "*"));
  CHECK_FALSE(glob_match("\\*", "a"));
  CHECK(glob_match("[\\]]", "]"));
  CHECK(glob_match("**", "anything"));
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "a"));
}

TEST_CASE("glob_match: malformed patterns never match", "[ignore]") {
  for (const char* bad : {"[", "[]", "[a", "[-a]", "[a-]", "a\\", "[]a]", "[^]"}) {
    INFO(bad);
    CHECK_FALSE(glob_match(bad, "a"));
    CHECK_FALSE(glob_match(bad, "]"));
  }
}

TEST_CASE("glob_match: bounded work on hostile patterns", "[ignore]") {
  std::string pattern;
  for (int i = 0; i < 1000; ++i) pattern += "*a";
  pattern += "b";
  std::string name(4000, 'a');
  CHECK_FALSE(glob_match(pattern, name));  // quadratic at most: returns at once
  CHECK_FALSE(glob_match(std::string(5000, '*'), "a"));  // over the size limit
}

namespace {

bool excluded(const std::vector<std::string>& lines, std::string_view path, bool dir = false) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  ignore_matcher m(read_ignore_patterns(text, {}));
  return m.excluded(path, dir);
}

}  // namespace

TEST_CASE("ignore patterns: a name without '/' matches any name on the path", "[ignore]") {
  CHECK(excluded({"secret.yaml"}, "secret.yaml"));
  CHECK(excluded({"secret.yaml"}, "a/b/secret.yaml"));
  CHECK(excluded({"build"}, "build/x.yaml"));
  CHECK(excluded({"*.txt"}, "a/b.txt"));
  CHECK_FALSE(excluded({"*.txt"}, "a/b.yaml"));
}

TEST_CASE("ignore patterns: trailing '/' is folders only", "[ignore]") {
  CHECK(excluded({"tmp/"}, "a/tmp/x.yaml"));
  CHECK(excluded({"tmp/"}, "a/tmp", true));
  CHECK_FALSE(excluded({"tmp/"}, "a/tmp"));
}

TEST_CASE("ignore patterns: a '/' anchors the pattern at its folder", "[ignore]") {
  CHECK(excluded({"/app.yaml"}, "app.yaml"));
  CHECK_FALSE(excluded({"/app.yaml"}, "sub/app.yaml"));
  CHECK(excluded({"a/b"}, "a/b/c.yaml"));
  CHECK_FALSE(excluded({"a/b"}, "x/a/b/c.yaml"));
  CHECK(excluded({"a/*.yaml"}, "a/x.yaml"));
  CHECK_FALSE(excluded({"a/*.yaml"}, "a/x/y.yaml"));
}

TEST_CASE("ignore patterns: ** spans folders", "[ignore]") {
  CHECK(excluded({"**/secret.yaml"}, "secret.yaml"));
  CHECK(excluded({"**/secret.yaml"}, "a/b/secret.yaml"));
  CHECK(excluded({"a/**/z.yaml"}, "a/z.yaml"));
  CHECK(excluded({"a/**/z.yaml"}, "a/b/c/z.yaml"));
  CHECK_FALSE(excluded({"a/**/z.yaml"}, "b/z.yaml"));
  CHECK(excluded({"a/**"}, "a/b/c"));
  CHECK_FALSE(excluded({"a/x**/z"}, "a/xy/z"));  // '**' inside a name is not supported and never matches
}

TEST_CASE("ignore patterns: the last match decides: '!' includes again", "[ignore]") {
  CHECK_FALSE(excluded({"*.yaml", "!keep.yaml"}, "keep.yaml"));
  CHECK(excluded({"*.yaml", "!keep.yaml"}, "drop.yaml"));
  CHECK(excluded({"!keep.yaml", "*.yaml"}, "keep.yaml"));
  // A file under an excluded folder can be brought back (the whole path is matched).
  CHECK_FALSE(excluded({"tmp/", "!tmp/keep.yaml"}, "tmp/keep.yaml"));
}

TEST_CASE("ignore files: comments, blanks, trailing spaces and escapes", "[ignore]") {
  auto ps = read_ignore_patterns("# comment\n\n   \nkeep \\ \ndrop  \r\n\\#hash\n\\!bang\n", {});
  REQUIRE(ps.size() == 4);
  CHECK(ps[0].segments[0] == "keep \\ ");
  CHECK(ps[1].segments[0] == "drop");
  ignore_matcher m(std::move(ps));
  CHECK(m.excluded("keep  ", false));  // "keep", a space, an escaped space
  CHECK(m.excluded("drop", false));
  CHECK(m.excluded("#hash", false));
  CHECK(m.excluded("!bang", false));
  CHECK_FALSE(m.excluded("bang", false));
}

TEST_CASE("ignore patterns: a domain limits a pattern to its folder and below", "[ignore]") {
  ignore_matcher m(read_ignore_patterns("*.yaml\n/top.yaml\n", {"apps"}));
  CHECK(m.excluded("apps/x.yaml", false));
  CHECK(m.excluded("apps/sub/x.yaml", false));
  CHECK_FALSE(m.excluded("other/x.yaml", false));
  CHECK_FALSE(m.excluded("apps", true));
  CHECK(m.excluded("apps/top.yaml", false));
}

TEST_CASE("ignore defaults: VCS always, the rest unless patterns are given", "[ignore]") {
  auto d = ignore_matcher::with_defaults({});
  for (const char* p : {".git/config", ".gitignore", "a/.gitmodules", ".gitattributes", ".github/workflows/ci.yaml",
                        ".circleci/config.yml", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
                        "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml", "x/.goreleaser.yml",
                        "a/b/.sops.yaml", ".flux.yaml", "logo.png", "a/b.jpg", "c.jpeg", "d.gif", "e.wmv", "f.flv",
                        "g.tar.gz", "h.zip", "sub/.gitlab-ci.yml"}) {
    INFO(p);
    CHECK(d.excluded(p, false));
  }
  CHECK_FALSE(d.excluded("apps/deploy.yaml", false));
  auto custom = ignore_matcher::with_defaults(read_ignore_patterns("*.txt\n", {}));
  CHECK(custom.excluded(".git/HEAD", false));
  CHECK(custom.excluded("notes.txt", false));
  CHECK_FALSE(custom.excluded(".sops.yaml", false));
  CHECK_FALSE(custom.excluded(".github/x.yaml", false));
}
