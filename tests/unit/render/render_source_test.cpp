#include "print_error.hpp"
#include "memory_tree.hpp"

#include "gitopsd/core/filtered_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/build_command.hpp"
#include "gitopsd/render/render_source.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

std::string cm(const std::string& name, const std::string& value = "v") {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  value: " + value + "\n";
}

std::vector<std::string> names(const std::vector<manifest>& objects) {
  std::vector<std::string> out;
  for (const auto& m : objects) out.emplace_back(json::get_string(m.object, "metadata", "name").value_or(""));
  return out;
}

}  // namespace

TEST_CASE("filtered tree: excluded files and folders read as missing", "[ignore]") {
  testing::memory_tree tree;
  tree.files["app/a.yaml"] = cm("a");
  tree.files["app/skip.yaml"] = cm("skip");
  tree.files["app/tmp/b.yaml"] = cm("b");
  tree.files[".sourceignore"] = "skip.yaml\ntmp/\n";
  auto rules = load_ignore_rules(tree, std::nullopt);
  REQUIRE(rules);
  filtered_tree view(tree, std::move(*rules));
  auto listed = view.list("app");
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "a.yaml");
  CHECK_FALSE(view.read("app/skip.yaml"));
  CHECK_FALSE(view.stat("app/tmp"));
  CHECK_FALSE(view.list("app/tmp"));
  CHECK(view.read("app/a.yaml"));
}

TEST_CASE("ignore rules: each .sourceignore applies to its folder and below: spec.ignore last", "[ignore]") {
  testing::memory_tree tree;
  tree.files["a/.sourceignore"] = "*.yaml\n!keep.yaml\n";
  tree.files["b/x.yaml"] = cm("x");
  tree.files["a/x.yaml"] = cm("ax");
  tree.files["a/keep.yaml"] = cm("keep");
  auto rules = load_ignore_rules(tree, std::string("keep.yaml\n"));
  REQUIRE(rules);
  CHECK(rules->excluded("a/x.yaml", false));
  CHECK_FALSE(rules->excluded("b/x.yaml", false));
  CHECK(rules->excluded("a/keep.yaml", false));  // spec.ignore comes after the files
  auto without = load_ignore_rules(tree, std::nullopt);
  REQUIRE(without);
  CHECK_FALSE(without->excluded("a/keep.yaml", false));
  // A .sourceignore file replaces the default exclusions, as in Flux; VCS files stay excluded.
  CHECK_FALSE(without->excluded(".github/x.yaml", false));
  CHECK(without->excluded(".gitignore", false));
}

TEST_CASE("render_source: .sourceignore removes a file that would break the build", "[ignore]") {
  testing::memory_tree tree;
  tree.files["app/kustomization.yaml"] = "resources:\n- cm.yaml\n";
  tree.files["app/cm.yaml"] = cm("ok");
  tree.files["plain/good.yaml"] = cm("good");
  tree.files["plain/broken.yaml"] = "not: [valid";
  auto failing = render_source(tree, "plain", {});
  REQUIRE_FALSE(failing);
  tree.files["plain/.sourceignore"] = "broken.yaml\n";
  auto objects = render_source(tree, "plain", {});
  REQUIRE(objects);
  CHECK(names(*objects) == std::vector<std::string>{"good"});
  source_options opts;
  opts.ignore = "/plain/good.yaml\n";
  auto none = render_source(tree, "plain", opts);
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("render_source: default exclusions apply without patterns", "[ignore]") {
  testing::memory_tree tree;
  tree.files["app/kustomization.yaml"] = "resources:\n- cm.yaml\n- .sops.yaml\n";
  tree.files["app/cm.yaml"] = cm("ok");
  tree.files["app/.sops.yaml"] = cm("sops");
  auto r = render_source(tree, "app", {});
  REQUIRE_FALSE(r);  // the kustomization names a file the defaults exclude
  source_options opts;
  opts.ignore = "nothing-matches\n";
  auto with = render_source(tree, "app", opts);
  REQUIRE(with);
  CHECK(names(*with) == std::vector<std::string>{"ok", "sops"});
}

TEST_CASE("render_source: substitution after the build: run_build prints the result", "[substitute]") {
  testing::memory_tree tree;
  tree.files["app/kustomization.yaml"] = "resources:\n- cm.yaml\nnamePrefix: p-\n";
  tree.files["app/cm.yaml"] = cm("${name:=dflt}", "${value}");
  source_options opts;
  opts.post_build.vars = {{"value", "hello"}};
  std::ostringstream out, err;
  int code = run_build(tree, "app", output_format::yaml, out, err, {}, opts);
  CHECK(code == 0);
  CHECK_THAT(out.str(), Catch::Contains("name: p-dflt"));
  CHECK_THAT(out.str(), Catch::Contains("value: hello"));
  opts.post_build.strict = true;
  opts.post_build.vars = {{"name", "n"}};
  std::ostringstream out2, err2;
  CHECK(run_build(tree, "app", output_format::yaml, out2, err2, {}, opts) == 1);
  CHECK_THAT(err2.str(), Catch::Contains("variable not set (strict mode): \"value\""));
}
