#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/snapshot.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::git;

namespace {
memory_tree sample() {
  memory_tree t;
  t.add_directory("apps");
  t.add_file("apps/b.yaml", "b");
  t.add_file("apps/a.yaml", "a");
  t.add_directory("apps/sub");
  t.add_file("apps/sub/c.yaml", "c");
  t.add_symlink("apps/link.yaml", "sub/c.yaml");
  t.add_symlink("apps/up.yaml", "../top.yaml");
  t.add_file("top.yaml", "top");
  t.add_symlink("sublink", "apps/sub");
  t.add_symlink("escape", "../../etc/passwd");
  t.add_symlink("absolute", "/etc/passwd");
  t.add_symlink("loop1", "loop2");
  t.add_symlink("loop2", "loop1");
  return t;
}
}  // namespace

TEST_CASE("memory tree lists sorted entries and reads files", "[tree]") {
  auto t = sample();
  auto l = t.list("apps");
  REQUIRE(l.has_value());
  std::vector<std::string> names;
  for (auto& e : *l) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"a.yaml", "b.yaml", "link.yaml", "sub", "up.yaml"});
  CHECK(t.read("apps/a.yaml").value() == "a");
  CHECK(t.read("./apps//sub/../a.yaml").value() == "a");
  CHECK(t.stat("").value() == tree_entry::kind::directory);
  CHECK(t.list("").has_value());
}

TEST_CASE("symlinks inside the tree are followed", "[tree]") {
  auto t = sample();
  CHECK(t.read("apps/link.yaml").value() == "c");
  CHECK(t.read("apps/up.yaml").value() == "top");
  CHECK(t.read("sublink/c.yaml").value() == "c");
  CHECK(t.stat("sublink").value() == tree_entry::kind::directory);
  CHECK(t.list("sublink").value().size() == 1);
}

TEST_CASE("escapes and missing paths are refused with clear errors", "[tree]") {
  auto t = sample();
  auto err = [&](std::string_view p) {
    auto r = t.read(p);
    REQUIRE_FALSE(r.has_value());
    return r.error();
  };
  CHECK(err("../x").code == errc::path_escape);
  CHECK(err("../x").message == "path \"../x\" leaves the tree");
  CHECK(err("/etc/passwd").message == "path \"/etc/passwd\" is absolute; paths are relative to the tree");
  CHECK(err("escape").code == errc::path_escape);
  CHECK(err("escape").message == "symlink \"escape\" -> \"../../etc/passwd\" points outside the tree");
  CHECK(err("absolute").message == "symlink \"absolute\" -> \"/etc/passwd\" points outside the tree");
  CHECK(err("loop1").message == "too many symlinks resolving \"loop1\"");
  CHECK(err("apps/nope.yaml").code == errc::path_not_found);
  CHECK(err("apps/nope.yaml").message == "no such file or directory: \"apps/nope.yaml\"");
  CHECK(err("top.yaml/x").code == errc::not_a_directory);
  CHECK(err("apps").message == "not a file: \"apps\"");
  CHECK(t.stat("escape").error().code == errc::path_escape);
  // list shows the link without following it
  auto root = t.list("");
  REQUIRE(root.has_value());
  CHECK(std::any_of(root->begin(), root->end(),
                    [](const tree_entry& e) { return e.name == "escape" && e.type == tree_entry::kind::symlink; }));
}
