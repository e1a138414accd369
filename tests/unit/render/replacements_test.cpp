#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include "../../../src/render/kustomize/replacements.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::render;
using strings = std::vector<std::string>;

namespace {

const char* const objects =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  value: a:b\n---\n"
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\ndata:\n  value: x\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
    "  template:\n    spec:\n      containers:\n      - name: app\n        image: app\n";

testing::memory_tree with(std::string kustomization) {
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = "resources:\n- objects.yaml\n" + std::move(kustomization);
  t.files["k/objects.yaml"] = objects;
  return t;
}

std::string failure(const testing::memory_tree& t, errc code = errc::invalid_kustomization) {
  auto r = render::render(t, "k");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  return r.error().what();
}

const rapidjson::Value& object(const std::vector<manifest>& out, std::string_view name) {
  for (const auto& m : out)
    if (json::get_string(m.object, "metadata", "name") == name) return m.object;
  FAIL("no object " << name);
  throw 0;
}

}  // namespace

TEST_CASE("replacement field paths split as kustomize splits them", "[kustomize][replacements]") {
  using kustomize::split_field_path;
  CHECK(split_field_path("spec.replicas") == strings{"spec", "replicas"});
  CHECK(split_field_path("metadata.name") == strings{"metadata", "name"});
  CHECK(split_field_path("spec.data.[name=first].key") == strings{"spec", "data", "[name=first]", "key"});
  CHECK(split_field_path("spec.data.[.name=.first].key") == strings{"spec", "data", "[.name=.first]", "key"});
  CHECK(split_field_path("spec.data.[name.=first.].key") == strings{"spec", "data", "[name.=first.]", "key"});
  CHECK(split_field_path("spec.data.[name=f.i.r.s.t.].key") == strings{"spec", "data", "[name=f.i.r.s.t.]", "key"});
  CHECK(split_field_path("spec\\.replicas") == strings{"spec.replicas"});
  CHECK(split_field_path("spec.data.[name=f.i.[r.s.t..key") == strings{"spec", "data", "[name=f.i.[r.s.t..key"});
  CHECK(split_field_path("metadata.annotations.[a.b.c/d.e.f-g.]") ==
        strings{"metadata", "annotations", "a.b.c/d.e.f-g."});
  CHECK(split_field_path(".a.b") == strings{"a", "b"});
  CHECK(split_field_path("a..b") == strings{"a", "", "b"});
  CHECK(split_field_path("containers.*.image") == strings{"containers", "*", "image"});
  CHECK(split_field_path("args.[=--mode=.*]") == strings{"args", "[=--mode=.*]"});
  CHECK(split_field_path("") == strings{""});
}

TEST_CASE("replacements copy a source field into the selected targets", "[kustomize][replacements]") {
  auto t = with(
      "replacements:\n- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data.value\n"
      "    options: {delimiter: ':', index: 1}\n"
      "  targets:\n  - select: {kind: Deployment}\n    fieldPaths:\n"
      "    - spec.template.spec.containers.[name=app].image\n"
      "  - select: {kind: ConfigMap}\n    reject: [{name: src}]\n    fieldPaths: [data.value, data.new]\n"
      "    options: {create: true}\n");
  auto r = render::render(t, "k");
  REQUIRE(r);
  const auto& web = object(*r, "web");
  CHECK(json::serialize(*json::find(web, "spec")) ==
        R"({"replicas":1,"template":{"spec":{"containers":[{"name":"app","image":"b"}]}}})");
  const auto& other = object(*r, "other");
  CHECK(json::get_string(other, "data", "value") == "b");
  CHECK(json::get_string(other, "data", "new") == "b");
  CHECK(json::get_string(object(*r, "src"), "data", "value") == "a:b");
}

TEST_CASE("replacement errors name the kustomization file", "[kustomize][replacements]") {
  const std::string file = "k/kustomization.yaml: ";
  CHECK(failure(with("replacements:\n- source: {kind: Secret}\n  targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements: nothing selected by Secret.[noVer].[noGrp]/[noName].[noNs]");
  CHECK(failure(with("replacements:\n- source: {kind: ConfigMap}\n  targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements: multiple matches for selector ConfigMap.[noVer].[noGrp]/[noName].[noNs]");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment, fieldPath: spec.paused}\n"
                     "  targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements: fieldPath `spec.paused` is missing for replacement source "
               "Deployment.[noVer].[noGrp]/[noName].[noNs]");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n"
                     "  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.missing]\n")) ==
        file + "replacements: unable to find field \"data.missing\" in replacement target");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n")) ==
        file + "replacements must specify a source and at least one target");
  CHECK(failure(with("replacements:\n- targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements must specify a source and at least one target");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n  targets:\n  - fieldPaths: [data.value]\n")) ==
        file + "replacements: target must specify resources to select");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n  sourceValue: x\n"
                     "  targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements: value and resource selectors are mutually exclusive");
  CHECK(failure(with("replacements:\n- source: {kind: ConfigMap, name: src, fieldPath: data.value, "
                     "options: {delimiter: ':', index: 2}}\n  targets:\n  - select: {kind: ConfigMap}\n")) ==
        file + "replacements: options.index 2 is out of bounds for value a:b");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment, fieldPath: spec.template}\n"
                     "  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template]\n"
                     "    options: {delimiter: /}\n")) ==
        file + "replacements: delimiter option can only be used with scalar nodes");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n"
                     "  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.replicas.x.y]\n"
                     "    options: {create: true}\n")) ==
        file + "replacements: unable to find or create field \"spec.replicas.x.y\" in replacement target");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n"
                     "  targets:\n  - select: {kind: Deployment, name: \"(\"}\n")) ==
        file + "replacements: invalid regular expression \"(\" in a target");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n"
                     "  targets:\n  - select: {kind: Deployment}\n    fieldPaths:\n    - spec.template.spec.containers.[name].image\n")) ==
        file + "replacements: unable to find field \"spec.template.spec.containers.[name].image\" in replacement "
               "target: list path element must contain fieldName=fieldValue for element to match");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n  targets:\n  - select: {kind: Deployment}\n"
                     "    fieldPaths:\n    - spec.template.spec.containers.[name=(].image\n")) ==
        file + "replacements: unable to find field \"spec.template.spec.containers.[name=(].image\" in replacement "
               "target: invalid regular expression \"(\"");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment, fieldPath: spec.template.spec.containers.*.image}\n"
                     "  targets:\n  - select: {name: other}\n    fieldPaths: [data.value]\n")) ==
        file + "replacements: error looking up replacement source: wildcard is not supported in PathGetter");
  CHECK(failure(with("replacements:\n- source: {kind: Deployment, color: red}\n  targets: []\n")) ==
        file + "unknown field \"color\" in replacements.source");
}

TEST_CASE("a replacement source path takes the last list element with -", "[kustomize][replacements]") {
  auto t = with("replacements:\n- source: {kind: Deployment, fieldPath: spec.template.spec.containers.-.name}\n"
                "  targets:\n  - select: {name: other}\n    fieldPaths: [data.value]\n");
  auto r = render::render(t, "k");
  REQUIRE(r);
  CHECK(json::get_string(object(*r, "other"), "data", "value") == "app");
}

TEST_CASE("replacement files are read from the kustomization's folder", "[kustomize][replacements]") {
  auto t = with("replacements:\n- path: r.yaml\n");
  t.files["k/r.yaml"] = "source: {kind: Deployment}\ntargets:\n- select: {name: other}\n  fieldPaths: [data.value]\n";
  auto r = render::render(t, "k");
  REQUIRE(r);
  CHECK(json::get_string(object(*r, "other"), "data", "value") == "web");

  t.files["k/r.yaml"] = "- source: {kind: Deployment}\n  targets:\n  - select: {name: other}\n    fieldPaths: [data.value]\n";
  r = render::render(t, "k");
  REQUIRE(r);
  CHECK(json::get_string(object(*r, "other"), "data", "value") == "web");

  t.files["k/r.yaml"] = "just text\n";
  CHECK(failure(t) == "k/r.yaml: unsupported replacement type encountered within replacement path");
  CHECK(failure(with("replacements:\n- path: r.yaml\n  source: {kind: Deployment}\n")) ==
        "k/kustomization.yaml: replacements: cannot specify both path and inline replacement");
  CHECK(failure(with("replacements:\n- path: ../r.yaml\n")) ==
        "k/kustomization.yaml: replacements file \"../r.yaml\" is outside the kustomization's folder, which kustomize "
        "does not allow for files");
  auto missing = failure(with("replacements:\n- path: nope.yaml\n"));
  CHECK(missing.starts_with("k/kustomization.yaml: replacements file \"nope.yaml\": "));
}

TEST_CASE("replacement paths longer than the bound are refused", "[kustomize][replacements]") {
  std::string path = "a";
  for (int i = 0; i < 200; ++i) path += ".a";
  CHECK(failure(with("replacements:\n- source: {kind: Deployment}\n  targets:\n  - select: {kind: Deployment}\n"
                     "    fieldPaths: [" + path + "]\n")) ==
        "k/kustomization.yaml: replacements: fieldPath `" + path + "` has more than 128 parts");
}
