#include "print_error.hpp"
#include "memory_tree.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/build_command.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <unistd.h>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

std::string cm(const std::string& name) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n";
}

std::vector<std::string> origins(const std::vector<manifest>& objects) {
  std::vector<std::string> out;
  for (const auto& m : objects) out.push_back(m.origin);
  return out;
}

}  // namespace

TEST_CASE("plain folders: every manifest file below, depth first in name order", "[render]") {
  testing::memory_tree tree;
  tree.files["app/b.yaml"] = cm("b") + "---\n" + cm("b2");
  tree.files["app/a/z.yml"] = cm("z");
  tree.files["app/c.json"] = R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}})";
  tree.files["app/README.md"] = "not yaml";
  tree.files["app/.github/workflow.yaml"] = "on: push";
  tree.files["app/values.txt"] = "x";
  auto objects = render::render(tree, "app");
  REQUIRE(objects);
  CHECK(origins(*objects) == std::vector<std::string>{"app/a/z.yml#1", "app/b.yaml#1", "app/b.yaml#2", "app/c.json#1"});
  CHECK(json::get_string((*objects)[3].object, "kind") == "Secret");
}

TEST_CASE("lists are expanded into their items", "[render]") {
  auto objects = read_manifests(
      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n"
      "- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n",
      "l.yaml", {});
  REQUIRE(objects);
  CHECK(origins(*objects) == std::vector<std::string>{"l.yaml#1/items/0", "l.yaml#1/items/1"});
}

TEST_CASE("documents that are not objects are refused with file and document number", "[render]") {
  auto fail = [](std::string_view text) {
    auto r = read_manifests(text, "x.yaml", {});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_manifest);
    return r.error().what();
  };
  CHECK(fail("kind: ConfigMap\nmetadata: {name: a}\n") == "x.yaml#1: missing apiVersion");
  CHECK(fail(cm("a") + "---\napiVersion: v1\nmetadata: {name: a}\n") == "x.yaml#2: missing kind");
  CHECK(fail("apiVersion: v1\nkind: ConfigMap\n") == "x.yaml#1: missing metadata.name");
  CHECK(fail("- 1\n") == "x.yaml#1: not an object");
  CHECK(fail("apiVersion: v1\nkind: List\nitems: 3\n") == "x.yaml#1: items is not a list");
  CHECK(fail("apiVersion: v1\nkind: List\nitems:\n- {kind: A}\n") == "x.yaml#1/items/0: missing apiVersion");
}

TEST_CASE("render errors name the file", "[render]") {
  testing::memory_tree tree;
  tree.files["app/bad.yaml"] = "a: [1\n";
  auto r = render::render(tree, "app");
  REQUIRE_FALSE(r);
  CHECK(r.error().what().starts_with("app/bad.yaml:"));
  auto missing = render::render(tree, "nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == errc::read_failed);
  auto outside = render::render(tree, "../x");
  REQUIRE_FALSE(outside);
  CHECK(outside.error().what() == "path \"../x\" leads outside the tree");
}

TEST_CASE("a path naming one file renders that file", "[render]") {
  testing::memory_tree tree;
  tree.files["one.yaml"] = cm("one");
  auto r = render::render(tree, "one.yaml");
  REQUIRE(r);
  CHECK(r->size() == 1);
}

TEST_CASE("gitopsd build prints a v1 List or a YAML stream, errors go to stderr", "[render]") {
  testing::memory_tree tree;
  tree.files["a.yaml"] = cm("a") + "data:\n  k: \"yes\"\n";
  tree.files["b.yaml"] = cm("b");
  std::ostringstream out, err;
  CHECK(run_build(tree, "", output_format::json, out, err) == 0);
  auto list = json::parse(out.str());
  REQUIRE(list);
  CHECK(json::get_string(*list, "kind") == "List");
  CHECK((*list)["items"].Size() == 2);
  std::ostringstream yout;
  CHECK(run_build(tree, "", output_format::yaml, yout, err) == 0);
  CHECK(yout.str() ==
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: \"yes\"\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n");
  tree.files["c.yaml"] = "kind: X\n";
  std::ostringstream out2, err2;
  CHECK(run_build(tree, "", output_format::yaml, out2, err2) == 1);
  CHECK(err2.str() == "error: c.yaml#1: missing apiVersion\n");
  CHECK(out2.str().empty());
}

TEST_CASE("gitopsd build reads a folder inside its Git work tree, so ../base resolves", "[render]") {
  namespace fs = std::filesystem;
  fs::path top = fs::temp_directory_path() / ("gitopsd-build-root-" + std::to_string(::getpid()));
  fs::remove_all(top);
  fs::create_directories(top / ".git");
  fs::create_directories(top / "apps" / "prod");
  auto [root, path] = build_root(top / "apps" / "prod");
  CHECK(root == fs::weakly_canonical(top));
  CHECK(path == "apps/prod");
  auto [same_root, empty] = build_root(top);
  CHECK(same_root == fs::weakly_canonical(top));
  CHECK(empty.empty());
  fs::remove_all(top);
}
