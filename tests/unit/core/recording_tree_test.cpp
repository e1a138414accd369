#include "gitopsd/core/recording_tree.hpp"
#include "gitopsd/git/snapshot.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <map>

using namespace gitopsd;
using gitopsd::git::memory_tree;

namespace {

// Lazy files whose content is looked up by id, counting the loads.
struct counting_loader final : git::blob_loader {
  std::map<std::string, std::string> blobs;
  mutable std::atomic<int> loads{0};
  [[nodiscard]] result<std::string> load(const std::string& id, std::string_view) const override {
    ++loads;
    return blobs.at(id);
  }
};

// apps/a/{kustomization.yaml, cm.yaml}, apps/b/cm.yaml, shared/base.yaml; `a_cm` is apps/a/cm.yaml.
memory_tree monorepo(const std::string& a_cm, const std::string& b_cm = "b1", const std::string& base = "base") {
  memory_tree t;
  for (const char* d : {"apps", "apps/a", "apps/b", "shared"}) t.add_directory(d);
  t.add_file("apps/a/kustomization.yaml", "resources: [cm.yaml, ../../shared/base.yaml]");
  t.add_file("apps/a/cm.yaml", a_cm);
  t.add_file("apps/b/cm.yaml", b_cm);
  t.add_file("shared/base.yaml", base);
  return t;
}

// What a render of apps/a reads.
std::vector<tree_access> render_a(const file_tree& tree) {
  recording_tree rec(tree, 1000, 1 << 20);
  (void)rec.stat("apps/a");
  (void)rec.list("apps/a");
  (void)rec.read("apps/a/kustomization.yaml");
  (void)rec.read("apps/a/cm.yaml");
  (void)rec.read("apps/a/cm.yaml");  // twice: recorded once
  (void)rec.real_path("shared/base.yaml");
  (void)rec.read("shared/base.yaml");
  (void)rec.stat("apps/a/kustomization.yml");  // probed, absent
  return rec.accesses().value();
}

}  // namespace

TEST_CASE("recording tree: a commit that changes none of what a render read answers the same", "[tree]") {
  auto before = monorepo("a1");
  auto accesses = render_a(before);
  CHECK(accesses.size() == 7);
  CHECK(same_answers(before, accesses));
  CHECK(same_answers(monorepo("a1", "b2"), accesses));  // another application's file changed
  CHECK_FALSE(same_answers(monorepo("a2"), accesses));  // a file it read changed
  CHECK_FALSE(same_answers(monorepo("a1", "b1", "base 2"), accesses));  // the base outside apps/a changed
}

TEST_CASE("recording tree: new files where the render listed or probed are changes, elsewhere not", "[tree]") {
  auto accesses = render_a(monorepo("a1"));
  auto listed = monorepo("a1");
  listed.add_file("apps/a/extra.yaml", "x");
  CHECK_FALSE(same_answers(listed, accesses));
  auto probed = monorepo("a1");
  probed.add_file("apps/a/kustomization.yml", "resources: []");
  CHECK_FALSE(same_answers(probed, accesses));
  auto elsewhere = monorepo("a1");
  elsewhere.add_file("shared/other.yaml", "x");  // shared/ was never listed
  CHECK(same_answers(elsewhere, accesses));
  auto symlinked = monorepo("a1");
  symlinked.add_directory("apps/c");
  symlinked.add_symlink("apps/c/link", "../a");
  CHECK(same_answers(symlinked, accesses));
}

TEST_CASE("recording tree: Git files are compared by blob id, without loading them", "[tree]") {
  auto loader = std::make_shared<counting_loader>();
  loader->blobs = {{"id-1", "one"}, {"id-2", "two"}};
  auto tree = [&](const char* id) {
    memory_tree t(loader);
    t.add_directory("app");
    t.add_lazy_file("app/cm.yaml", id);
    return t;
  };
  auto first = tree("id-1");
  recording_tree rec(first, 10, 1 << 10);
  CHECK(rec.read("app/cm.yaml").value() == "one");
  CHECK(loader->loads == 1);
  auto accesses = rec.accesses().value();
  CHECK(same_answers(tree("id-1"), accesses));
  CHECK_FALSE(same_answers(tree("id-2"), accesses));
  CHECK(loader->loads == 1);  // the replays read nothing
}

TEST_CASE("recording tree: over its bounds the record is dropped, not cut short", "[tree]") {
  auto t = monorepo("a1");
  recording_tree few(t, 2, 1 << 20);
  (void)few.stat("apps");
  (void)few.stat("apps/a");
  CHECK(few.accesses().has_value());
  (void)few.stat("apps/b");
  CHECK_FALSE(few.accesses().has_value());
  (void)few.stat("shared");
  CHECK_FALSE(few.accesses().has_value());
  recording_tree small(t, 100, 10);
  (void)small.read("apps/a/kustomization.yaml");  // path and digest over 10 bytes
  CHECK_FALSE(small.accesses().has_value());
}

TEST_CASE("recording tree: a search for one kind of file is kept as what it found, not the folders it walked", "[tree]") {
  auto t = monorepo("a1");
  t.add_file("apps/a/.sourceignore", "*.md");
  recording_tree rec(t, 100, 1 << 20);
  auto found = rec.find_named("", ".sourceignore", {});
  REQUIRE(found.has_value());
  REQUIRE(found->size() == 1);
  CHECK((*found)[0].path == "apps/a/.sourceignore");
  auto accesses = rec.accesses().value();
  CHECK(accesses.size() == 1);
  CHECK(same_answers(t, accesses));
  auto added_elsewhere = monorepo("a1", "b2");  // another file changed, a folder added
  added_elsewhere.add_file("apps/a/.sourceignore", "*.md");
  added_elsewhere.add_directory("apps/c");
  added_elsewhere.add_file("apps/c/new.yaml", "x");
  CHECK(same_answers(added_elsewhere, accesses));
  auto new_rules = monorepo("a1");
  new_rules.add_file("apps/a/.sourceignore", "*.txt");
  CHECK_FALSE(same_answers(new_rules, accesses));
  auto another_file = monorepo("a1");
  another_file.add_file("apps/a/.sourceignore", "*.md");
  another_file.add_file("shared/.sourceignore", "x");
  CHECK_FALSE(same_answers(another_file, accesses));
  auto over_limit = rec.find_named("", ".sourceignore", {2, 256});
  CHECK_FALSE(over_limit.has_value());
}
