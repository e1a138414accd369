// Repository content made to crash, freeze or exhaust the renderer: each ends in an error naming
// the file and the budget, or in the right result, quickly.
#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/git/snapshot.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

std::string cm(const std::string& name, const std::string& extra = {}) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" + extra;
}

std::string failure(const file_tree& t, std::string_view path, errc code) {
  auto r = render::render(t, path);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  return r.error().what();
}

class throwing_tree final : public file_tree {
 public:
  result<std::vector<tree_entry>> list(std::string_view) const override {
    return std::vector<tree_entry>{{"a.yaml", tree_entry::kind::file}};
  }
  result<std::string> read(std::string_view) const override { throw std::length_error("basic_string::_M_create"); }
  result<tree_entry::kind> stat(std::string_view) const override { return tree_entry::kind::directory; }
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST_CASE("an exception inside the render fails that render with an error", "[render][hostile]") {
  throwing_tree t;
  auto r = render::render(t, "apps");
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("rendering \"apps\" failed") && Catch::Contains("basic_string"));
}

TEST_CASE("JSON nested 150000 deep is refused without recursion", "[render][hostile]") {
  testing::memory_tree t;
  t.files["a/deep.json"] = "{\"a\":" + std::string(150000, '[') + std::string(150000, ']') + "}";
  // Folders list no .json files (Flux's rule): the file is rendered by its path.
  CHECK_THAT(failure(t, "a/deep.json", errc::limit_exceeded),
             Catch::Contains("a/deep.json") && Catch::Contains("nesting deeper than 256"));
  // The shared parser (API answers) is iterative too: deep input is an error, not a crash.
  auto parsed = json::parse(std::string(150000, '[') + std::string(150000, ']'));
  CHECK(parsed.has_value());
  auto unclosed = json::parse(std::string(150000, '{'));
  CHECK_FALSE(unclosed.has_value());
}

TEST_CASE("YAML nested 150000 deep is refused", "[render][hostile]") {
  testing::memory_tree t;
  t.files["a/deep.yaml"] = "x: " + std::string(150000, '[') + std::string(150000, ']') + "\n";
  CHECK_THAT(failure(t, "a", errc::limit_exceeded),
             Catch::Contains("a/deep.yaml:1:") && Catch::Contains("nesting deeper than 256 (limit max-yaml-depth)"));
}

TEST_CASE("patch-target and image regexes run in linear time with Go's syntax", "[render][kustomize][hostile]") {
  testing::memory_tree t;
  const std::string long_name(20000, 'a');
  t.files["k/cm.yaml"] = cm(long_name) + "---\n" + cm(std::string(30, 'a')) + "---\n" +
                         "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
                         "    image: " + std::string(20000, 'b') + ":1\n";
  t.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\n"
      "patches:\n"
      "- target:\n    kind: ConfigMap\n    name: (a|b)*\n  patch: |\n    - op: add\n      path: /data\n      value: {x: hit}\n"
      "- target:\n    kind: ConfigMap\n    name: (a*)*b\n  patch: |\n    - op: add\n      path: /data/z\n      value: z\n"
      "images:\n- name: (a|b)*\n  newTag: \"2\"\n";
  auto t0 = std::chrono::steady_clock::now();
  auto r = render::render(t, "k");
  CHECK(seconds_since(t0) < 5);
  REQUIRE(r);
  REQUIRE(r->size() == 3);
  for (const auto& m : *r) {
    if (json::get_string(m.object, "kind") == "ConfigMap") {
      CHECK(json::get_string(m.object, "data", "x") == "hit");
      CHECK_FALSE(json::find(m.object, "data", "z"));
    } else {
      auto image = json::find(m.object, "spec", "containers");
      REQUIRE(image);
      CHECK(json::get_string((*image)[0], "image") == std::string(20000, 'b') + ":2");
    }
  }
}

TEST_CASE("Go regexp syntax: the pattern is anchored as kustomize anchors it", "[render][kustomize][hostile]") {
  testing::memory_tree t;
  t.files["k/cm.yaml"] = cm("app-one") + "---\n" + cm("xapp-one") + "---\n" + cm("app-two");
  t.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\n"
      "patches:\n"
      "- target:\n    name: app-(?P<n>one|three)\n  patch: |\n    - op: add\n      path: /data\n      value: {hit: \"1\"}\n";
  auto r = render::render(t, "k");
  REQUIRE(r);
  std::vector<std::string> hits;
  for (const auto& m : *r)
    if (json::find(m.object, "data", "hit")) hits.emplace_back(*json::get_string(m.object, "metadata", "name"));
  CHECK(hits == std::vector<std::string>{"app-one"});
  t.files["k/kustomization.yaml"] = "resources:\n- cm.yaml\npatches:\n- target:\n    name: a(b\n  patch: |\n    []\n";
  CHECK_THAT(failure(t, "k", errc::invalid_kustomization), Catch::Contains("invalid regular expression \"a(b\""));
}

TEST_CASE("label selectors are parsed without a regex", "[render][kustomize][hostile]") {
  testing::memory_tree t;
  t.files["k/cm.yaml"] = cm("a", "  labels:\n    tier: web\n") + "---\n" + cm("b", "  labels:\n    tier: db\n");
  t.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\n"
      "patches:\n- target:\n    labelSelector: tier in (web, cache)\n  patch: |\n    - op: add\n      path: /data\n"
      "      value: {hit: \"1\"}\n"
      "- target:\n    labelSelector: tier notin (web)\n  patch: |\n    - op: add\n      path: /data\n"
      "      value: {other: \"1\"}\n";
  auto r = render::render(t, "k");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK(json::find((*r)[0].object, "data", "hit"));
  CHECK_FALSE(json::find((*r)[0].object, "data", "other"));
  CHECK(json::find((*r)[1].object, "data", "other"));
  t.files["k/kustomization.yaml"] = "resources:\n- cm.yaml\npatches:\n- target:\n    labelSelector: " +
                                    std::string(20000, '(') + "\n  patch: |\n    []\n";
  CHECK_THAT(failure(t, "k", errc::invalid_kustomization), Catch::Contains("invalid selector"));
}

TEST_CASE("a Git tree 5000 folders deep is looked up in linear time per path", "[render][hostile]") {
  git::memory_tree t;
  std::string path;
  std::vector<std::string> paths;
  for (int i = 0; i < 5000; ++i) {
    path += path.empty() ? "d" : "/d";
    t.add_directory(path);
    paths.push_back(path);
  }
  t.add_file(path + "/cm.yaml", cm("deep"));
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& p : paths) REQUIRE(t.list(p));
  CHECK(seconds_since(t0) < 60);  // linear: well under a second here, minutes when cubic
  // The render stops at its folder depth budget, naming it.
  t0 = std::chrono::steady_clock::now();
  CHECK_THAT(failure(t, "", errc::limit_exceeded),
             Catch::Contains("folders nested deeper than 256 (limit max-folder-depth)"));
  CHECK(seconds_since(t0) < 60);
}

TEST_CASE("YAML budgets are checked while reading, before the node graph is built", "[render][hostile]") {
  SECTION("empty documents count") {
    testing::memory_tree t;
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "---\n";
    t.files["a/docs.yaml"] = text;
    CHECK_THAT(failure(t, "a", errc::limit_exceeded),
               Catch::Contains("a/docs.yaml:10001:1: more than 10000 documents in one file, empty ones included "
                               "(limit max-yaml-documents)"));
  }
  SECTION("values") {
    testing::memory_tree t;
    std::string text = "x: [";
    for (int i = 0; i < 150000; ++i) text += "1,";
    t.files["a/flow.yaml"] = text + "1]\n";
    CHECK_THAT(failure(t, "a", errc::limit_exceeded),
               Catch::Contains("a/flow.yaml:1:") && Catch::Contains("more than 100000 values in one file, aliases "
                                                                    "expanded (limit max-yaml-values)"));
  }
  SECTION("aliases of a large map are counted as they expand") {
    testing::memory_tree t;
    std::string text = "a: &a [";
    for (int i = 0; i < 1000; ++i) text += "1,";
    text += "1]\nb: [";
    for (int i = 0; i < 200; ++i) text += "*a,";
    t.files["a/alias.yaml"] = text + "*a]\n";
    CHECK_THAT(failure(t, "a", errc::limit_exceeded), Catch::Contains("(limit max-yaml-values)"));
  }
  SECTION("text bytes through aliases") {
    testing::memory_tree t;
    std::string text = "a: &a " + std::string(100000, 'x') + "\nb: [";
    for (int i = 0; i < 200; ++i) text += "*a,";
    t.files["a/text.yaml"] = text + "*a]\n";
    CHECK_THAT(failure(t, "a", errc::limit_exceeded), Catch::Contains("a/text.yaml:") &&
                                                          Catch::Contains("(limit max-yaml-text-bytes)"));
  }
  SECTION("a JSON stream counts its values before it is parsed") {
    testing::memory_tree t;
    std::string text = "{\"x\": [";
    for (int i = 0; i < 150000; ++i) text += "1,";
    t.files["a/flow.json"] = text + "1]}";
    CHECK_THAT(failure(t, "a/flow.json", errc::limit_exceeded),
               Catch::Contains("a/flow.json: more than 100000 values in one file (limit max-yaml-values)"));
  }
}

TEST_CASE("a JSON-patch copy bomb stops at the object's budget", "[render][kustomize][hostile]") {
  testing::memory_tree t;
  t.files["k/cm.yaml"] = cm("a", "data:\n  k: " + std::string(1000, 'v') + "\n");
  std::string ops = "    - op: add\n      path: /x\n      value: {a: [\"" + std::string(1000, 'v') + "\"]}\n";
  for (int i = 0; i < 40; ++i) ops += "    - op: copy\n      from: /x\n      path: /x/a/-\n";
  t.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n" + ops;
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THAT(failure(t, "k", errc::limit_exceeded),
             Catch::Contains("k/kustomization.yaml") && Catch::Contains("copy /x/a/-") &&
                 Catch::Contains("(limit max-yaml-text-bytes)"));
  CHECK(seconds_since(t0) < 10);
}

TEST_CASE("a kustomize diamond stops at the build's expansion budget", "[render][kustomize][hostile]") {
  testing::memory_tree t;
  const int levels = 22;
  t.files["l" + std::to_string(levels) + "/kustomization.yaml"] = "resources:\n- cm.yaml\n";
  t.files["l" + std::to_string(levels) + "/cm.yaml"] = cm("c");
  for (int i = levels - 1; i >= 0; --i) {
    std::string next = "l" + std::to_string(i + 1);
    for (const char* side : {"a", "b"})
      t.files["l" + std::to_string(i) + side + "/kustomization.yaml"] =
          std::string("resources:\n- ../") + next + "\nnamePrefix: " + side + "-\n";
    t.files["l" + std::to_string(i) + "/kustomization.yaml"] =
        "resources:\n- ../l" + std::to_string(i) + "a\n- ../l" + std::to_string(i) + "b\n";
  }
  auto t0 = std::chrono::steady_clock::now();
  CHECK_THAT(failure(t, "l0", errc::limit_exceeded),
             Catch::Contains("kustomization.yaml: more than 2000 kustomizations built") &&
                 Catch::Contains("(limit max-kustomize-builds)"));
  CHECK(seconds_since(t0) < 20);
  // With builds allowed, the objects read stop it.
  options opts;
  opts.build.max_kustomizations = 1'000'000;
  opts.build.max_objects = 100;
  auto r = render::render(t, "l0", opts);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("the build read more than 100 objects") &&
                                   Catch::Contains("(limit max-render-objects)"));
}

TEST_CASE("a plain folder stops at the object and byte budgets", "[render][hostile]") {
  testing::memory_tree t;
  for (int i = 0; i < 3; ++i) t.files["a/" + std::to_string(i) + ".yaml"] = cm("c" + std::to_string(i));
  options few;
  few.build.max_objects = 2;
  auto r = render::render(t, "a", few);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("a/2.yaml: more than 2 objects (limit max-render-objects)"));
  options small;
  small.build.max_bytes = 100;
  r = render::render(t, "a", small);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("a/1.yaml: the build read more than 100 bytes of objects") &&
                                   Catch::Contains("(limit max-render-bytes)"));
}

TEST_CASE("metadata.namespace that is not a string is an error naming the file", "[render][hostile]") {
  for (std::string ns : {"123", "no", "[a]", "{a: b}"}) {
    testing::memory_tree t;
    t.files["a/cm.yaml"] = cm("x", "  namespace: " + ns + "\n");
    CAPTURE(ns);
    CHECK_THAT(failure(t, "a", errc::invalid_manifest), Catch::Contains("a/cm.yaml#1: metadata.namespace must be a string"));
  }
  testing::memory_tree ok;
  ok.files["a/cm.yaml"] = cm("x1", "  namespace: \"123\"\n") + "---\n" + cm("x2", "  namespace: null\n");
  CHECK(render::render(ok, "a"));
  // Patches cannot bring one in either.
  testing::memory_tree k;
  k.files["k/cm.yaml"] = cm("x");
  k.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n    - op: add\n"
      "      path: /metadata/namespace\n      value: 7\n";
  CHECK_THAT(failure(k, "k", errc::invalid_manifest), Catch::Contains("k/cm.yaml#1: metadata.namespace must be a string"));
}
