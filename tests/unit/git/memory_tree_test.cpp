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

namespace {
// Gives "content of <id>", counts its calls, and fails ids starting with "bad" until `healed`.
struct counting_loader final : blob_loader {
  mutable int calls = 0;
  bool healed = false;
  result<std::string> load(const std::string& id, std::string_view path) const override {
    ++calls;
    if (id.starts_with("bad") && !healed) return make_error(errc::cache, "cannot read " + std::string(path));
    return "content of " + id;
  }
};
}  // namespace

TEST_CASE("lazy files are loaded on their first read only, failures are not kept", "[tree]") {
  auto loader = std::make_shared<counting_loader>();
  memory_tree t(loader);
  t.add_directory("d");
  t.add_lazy_file("d/a.yaml", "id-a");
  t.add_lazy_file("d/b.yaml", "bad-b");
  t.add_symlink("link.yaml", "d/a.yaml");
  CHECK(loader->calls == 0);
  CHECK(t.stat("d/a.yaml").value() == tree_entry::kind::file);
  CHECK(t.list("d").value().size() == 2);
  CHECK(loader->calls == 0);
  CHECK(t.read("d/a.yaml").value() == "content of id-a");
  CHECK(t.read("link.yaml").value() == "content of id-a");
  CHECK(loader->calls == 1);
  auto bad = t.read("d/b.yaml");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "cannot read d/b.yaml");
  loader->healed = true;
  CHECK(t.read("d/b.yaml").value() == "content of bad-b");
  CHECK(loader->calls == 3);
}

TEST_CASE("a lazy file needs a loader", "[tree]") {
  memory_tree t;
  CHECK_THROWS_AS(t.add_lazy_file("a", "id"), std::invalid_argument);
}

TEST_CASE("a search for named files is remembered, not its failure, and a copy that grows searches again", "[tree]") {
  auto loader = std::make_shared<counting_loader>();
  memory_tree t(loader);
  t.add_directory("a");
  t.add_lazy_file("a/.sourceignore", "bad-1");
  t.add_directory("b");
  t.add_file("b/.sourceignore", "*.txt");
  auto failed = t.find_named("", ".sourceignore", {});
  REQUIRE_FALSE(failed.has_value());
  loader->healed = true;
  auto first = t.find_named("", ".sourceignore", {});
  REQUIRE(first.has_value());
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].path == "a/.sourceignore");
  CHECK((*first)[0].content == "content of bad-1");
  int calls = loader->calls;
  auto again = t.find_named("", ".sourceignore", {});
  REQUIRE(again.has_value());
  CHECK(again->size() == 2);
  CHECK(loader->calls == calls);
  // Other limits are another search: one folder is not enough for this tree.
  CHECK_FALSE(t.find_named("", ".sourceignore", {1, 256}).has_value());

  memory_tree grown = t;
  grown.add_directory("c");
  grown.add_file("c/.sourceignore", "*.md");
  CHECK(grown.find_named("", ".sourceignore", {}).value().size() == 3);
  CHECK(t.find_named("", ".sourceignore", {}).value().size() == 2);
}
