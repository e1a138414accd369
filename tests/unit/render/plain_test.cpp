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

TEST_CASE("plain folders: every .yaml and .yml file below, sorted as kustomize sorts", "[render]") {
  testing::memory_tree tree;
  tree.files["app/b.yaml"] = cm("b") + "---\n" + cm("b2");
  tree.files["app/a/z.yml"] = cm("z");
  tree.files["app/a/ns.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n";
  // Flux lists neither .json files nor hidden folders (its ignore rules drop .github and the like).
  tree.files["app/c.json"] = R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}})";
  tree.files["app/README.md"] = "not yaml";
  tree.files["app/.github/workflow.yaml"] = "on: push";
  tree.files["app/values.txt"] = "x";
  tree.files["app/empty.yaml"] = "";
  auto objects = render::render(tree, "app");
  REQUIRE(objects);
  CHECK(origins(*objects) ==
        std::vector<std::string>{"app/a/ns.yaml#1", "app/b.yaml#1", "app/b.yaml#2", "app/a/z.yml#1"});
}

TEST_CASE("plain folders: a sub-folder holding a kustomization is one resource, not entered", "[render]") {
  testing::memory_tree tree;
  tree.files["clusters/prod/apps.yaml"] = cm("apps");
  tree.files["clusters/prod/flux-system/kustomization.yaml"] = "resources:\n- gotk.yaml\nnamePrefix: p-\n";
  tree.files["clusters/prod/flux-system/gotk.yaml"] = cm("gotk");
  tree.files["clusters/prod/flux-system/unlisted.yaml"] = "not: an object\n";
  auto objects = render::render(tree, "clusters/prod");
  REQUIRE(objects);
  REQUIRE(objects->size() == 2);
  CHECK(json::get_string((*objects)[0].object, "metadata", "name") == "apps");
  CHECK(json::get_string((*objects)[1].object, "metadata", "name") == "p-gotk");
  CHECK((*objects)[1].origin == "clusters/prod/flux-system/gotk.yaml#1");
}

TEST_CASE("plain folders: what Flux's build refuses is an error naming the file", "[render]") {
  auto fail = [](testing::memory_tree& tree, errc code) {
    auto r = render::render(tree, "app");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == code);
    return r.error().what();
  };
  testing::memory_tree values;
  values.files["app/cm.yaml"] = cm("a");
  values.files["app/sub/values.yaml"] = "replicas: 3\n";
  CHECK(fail(values, errc::invalid_manifest) == "app/sub/values.yaml#1: missing apiVersion");
  testing::memory_tree twice;
  twice.files["app/a.yaml"] = cm("a");
  twice.files["app/b.yaml"] = cm("a");
  CHECK(fail(twice, errc::conflict) == "app: ConfigMap/a is already defined (by app/a.yaml#1)");
  testing::memory_tree generate;
  generate.files["app/job.yaml"] = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n";
  CHECK(fail(generate, errc::invalid_manifest) ==
        "app/job.yaml#1: objects with generateName cannot be applied server-side; give it a name");
  testing::memory_tree two_files;
  two_files.files["app/base/kustomization.yaml"] = "resources: []\n";
  two_files.files["app/base/kustomization.yml"] = "resources: []\n";
  CHECK(fail(two_files, errc::invalid_kustomization) ==
        "app/base: several kustomization files (app/base/kustomization.yaml and app/base/kustomization.yml); "
        "kustomize refuses a folder with more than one");
}

TEST_CASE("a Helm chart folder is refused by name, as the path or below it", "[render]") {
  testing::memory_tree tree;
  tree.files["chart/Chart.yaml"] = "apiVersion: v2\nname: c\nversion: 1.0.0\n";
  tree.files["chart/templates/cm.yaml"] = cm("a");
  tree.files["app/cm.yaml"] = cm("a");
  tree.files["app/charts/web/Chart.yaml"] = "apiVersion: v2\nname: web\nversion: 1.0.0\n";
  auto top = render::render(tree, "chart");
  REQUIRE_FALSE(top);
  CHECK(top.error().code == errc::unsupported);
  CHECK(top.error().what() == "chart is a Helm chart, which gitopsd does not render");
  auto below = render::render(tree, "app");
  REQUIRE_FALSE(below);
  CHECK(below.error().what() == "app/charts/web is a Helm chart, which gitopsd does not render");
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
  // The work tree itself is shown by its name: the tree starts one folder up.
  auto [parent, name] = build_root(top);
  CHECK(parent == fs::weakly_canonical(top).parent_path());
  CHECK(name == top.filename().string());
  fs::remove_all(top);
}

TEST_CASE("gitopsd build shows paths as the user named the folder", "[render]") {
  // `gitopsd build /tmp/real/app` reads the tree "/" at "tmp/real/app".
  CHECK(show_paths("tmp/real/app/x.yaml#1: missing kind", "tmp/real/app", "/tmp/real/app", "/") ==
        "/tmp/real/app/x.yaml#1: missing kind");
  CHECK(show_paths("tmp/real/app: ConfigMap/a is already defined (by tmp/real/app/a.yaml#1)", "tmp/real/app",
                   "./app/", "/") == "./app: ConfigMap/a is already defined (by ./app/a.yaml#1)");
  // A file reached through ../ is shown in full; a longer name sharing the prefix is left alone.
  CHECK(show_paths("tmp/real/base/k.yaml: bad (from tmp/real/app)", "tmp/real/app", "app", "/") ==
        "/tmp/real/base/k.yaml: bad (from app)");
  CHECK(show_paths("tmp/real/apps/x.yaml and xtmp/real/app/y", "tmp/real/app", "app", "/srv") ==
        "/srv/tmp/real/apps/x.yaml and xtmp/real/app/y");
  CHECK(show_paths("x.yaml: bad", "", "/repo", "/repo") == "x.yaml: bad");
}

TEST_CASE("gitopsd build writes errors with the folder as given", "[render]") {
  testing::memory_tree tree;
  tree.files["tmp/real/app/c.yaml"] = "kind: X\n";
  std::ostringstream out, err;
  CHECK(run_build(tree, "tmp/real/app", output_format::yaml, out, err, {}, {}, "/tmp/real/app", "/") == 1);
  CHECK(err.str() == "error: /tmp/real/app/c.yaml#1: missing apiVersion\n");
}
