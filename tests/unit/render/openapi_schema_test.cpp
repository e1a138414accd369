// Custom OpenAPI schemas (kustomization `openapi`) and CRD definitions (`crds`), as pure parts:
// parsing, the list rules a walk finds, the per-build schema state, and the field specs of crds.
#include "memory_tree.hpp"
#include "print_error.hpp"

#include "../../../src/render/kustomize/crds.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "../../../src/render/kustomize/openapi_state.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fmt/format.h>

using namespace gitopsd;
using namespace gitopsd::render::kustomize;

namespace {

const char* const gadget_schema = R"({"definitions": {
  "Gadget": {"x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Gadget"}],
             "properties": {"spec": {"$ref": "#/definitions/Spec"}}},
  "Spec": {"properties": {
    "items": {"type": "array", "items": {"$ref": "#/definitions/Item"},
              "x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": "name"},
    "ports": {"type": "array", "x-kubernetes-patch-strategy": "retainKeys,merge",
              "x-kubernetes-list-map-keys": ["port", "protocol"]},
    "tags": {"type": ["array"], "x-kubernetes-patch-strategy": "merge"},
    "plain": {"type": "array", "x-kubernetes-patch-merge-key": "name"},
    "three": {"type": "array", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-map-keys": ["a", "b", "c"]},
    "byName": {"additionalProperties": {"type": "array", "x-kubernetes-patch-strategy": "merge",
                                        "x-kubernetes-patch-merge-key": "id"}},
    "template": {"$ref": "#/definitions/io.k8s.api.core.v1.PodTemplateSpec"},
    "loop": {"$ref": "#/definitions/Loop"},
    "alias": {"$ref": "#/definitions/Spec/properties/items"},
    "badStrategy": {"x-kubernetes-patch-strategy": 1},
    "badKeys": {"x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-map-keys": [1]},
    "badKey": {"x-kubernetes-patch-strategy": "merge", "x-kubernetes-patch-merge-key": 1}}},
  "Item": {"$ref": "#/definitions/Item~1Real"},
  "Item/Real": {"properties": {"env": {"type": "array", "x-kubernetes-patch-strategy": "merge",
                                       "x-kubernetes-patch-merge-key": "key"}}},
  "Loop": {"$ref": "#/definitions/Loop"}}})";

openapi_schema parse_ok(const char* text) {
  auto s = openapi_schema::parse(text, "schema.json", {});
  REQUIRE(s);
  return std::move(*s);
}

std::string parse_error(const char* text) {
  auto s = openapi_schema::parse(text, "schema.json", {});
  REQUIRE_FALSE(s);
  return s.error().what();
}

struct walk {
  openapi_schema schema = parse_ok(gadget_schema);
  bool builtin = false;  // resolve built-in names as kyaml does once its built-in schema is loaded
  mutable std::size_t budget = schema_ref_budget;

  result<std::optional<list_rule>> at(std::string_view path) const {
    schema_pos root;
    root.node = schema.for_type("example.com/v1", "Gadget");
    REQUIRE(root.node != nullptr);
    return schema_list_rule(
        root, path,
        [&](std::string_view ref) {
          schema_pos p;
          if (builtin && ref == "#/definitions/io.k8s.api.core.v1.PodTemplateSpec") {
            p.builtin = ref.substr(14);
          } else {
            p.node = schema.definition(ref);
          }
          return p;
        },
        "schema.json", budget);
  }
  std::string key(std::string_view path) const {
    auto r = at(path);
    REQUIRE(r);
    REQUIRE(*r);
    return std::string((*r)->key) + (((*r)->second_key.empty()) ? "" : "+" + std::string((*r)->second_key)) +
           ((*r)->scalar_set ? "(set)" : "");
  }
  bool none(std::string_view path) const {
    auto r = at(path);
    REQUIRE(r);
    return !*r;
  }
  std::string error(std::string_view path) const {
    auto r = at(path);
    REQUIRE_FALSE(r);
    return r.error().what();
  }
};

kustomization named(const char* file, std::vector<std::pair<std::string, std::string>> openapi = {}) {
  kustomization k;
  k.file = file;
  for (auto& [key, value] : openapi) (key == "path" ? k.openapi.path : k.openapi.version) = std::move(value);
  return k;
}

std::optional<named_file> schema(std::string text) { return named_file{"schema.json", std::move(text)}; }

}  // namespace

TEST_CASE("a custom schema indexes its definitions by group, version and kind") {
  auto s = parse_ok(gadget_schema);
  CHECK(s.for_type("example.com/v1", "Gadget") != nullptr);
  CHECK(s.for_type("example.com/v2", "Gadget") == nullptr);
  CHECK(s.definition("#/definitions/Item~1Real") != nullptr);
  CHECK(s.definition("#/definitions/Item/Real") == nullptr);
  CHECK(s.definition("Item") == nullptr);
  // JSON pointers inside a definition, as go-openapi resolves them.
  CHECK(s.definition("#/definitions/Spec/properties/items") == json::find(*s.definition("#/definitions/Spec"),
                                                                          "properties", "items"));
  CHECK(s.definition("#/definitions/Gadget/x-kubernetes-group-version-kind/0") != nullptr);
  CHECK(s.definition("#/definitions/Gadget/x-kubernetes-group-version-kind/1") == nullptr);
  CHECK(s.definition("#/definitions/Gadget/x-kubernetes-group-version-kind") == nullptr);  // not a schema
  CHECK(s.definition("#/definitions/Spec/properties/nothing") == nullptr);
  CHECK(s.definition("#/definitions/Spec/") == nullptr);
  auto core = parse_ok(R"(definitions:
  Pod:
    x-kubernetes-group-version-kind: [{group: "", version: v1, kind: Pod}]
)");
  CHECK(core.for_type("v1", "Pod") != nullptr);
}

TEST_CASE("a custom schema's paths give the scope of its types") {
  auto s = parse_ok(R"({"paths": {
    "x-ext": 1,
    "/apis/a/v1/things": {"get": {"x-kubernetes-group-version-kind": {"group": "a", "version": "v1", "kind": "Thing"}}},
    "/apis/a/v1/namespaces/{namespace}/things": {"get": {"x-kubernetes-group-version-kind":
                                                 {"group": "a", "version": "v1", "kind": "Thing"}}},
    "/apis/a/v1/widgets": {"get": {"x-kubernetes-group-version-kind": {"group": "a", "version": "v1", "kind": "Widget"}}},
    "/apis/a/v1/list": {"get": {"x-kubernetes-group-version-kind": [1]}},
    "/apis/a/v1/post": {"post": {}}}})");
  CHECK(s.namespaced("a/v1", "Thing") == true);
  CHECK(s.namespaced("a/v1", "Widget") == false);
  CHECK_FALSE(s.namespaced("a/v1", "Other"));
  CHECK(parse_error(R"({"paths": {"/x": 1}})") == "schema.json: invalid OpenAPI schema: paths./x must be a map");
  CHECK(parse_error(R"({"paths": {"/x": {"get": 1}}})") ==
        "schema.json: invalid OpenAPI schema: paths./x.get must be a map");
  CHECK(parse_error(R"({"paths": {"/x": {"get": {"x-kubernetes-group-version-kind": {"kind": "A"}}}}})") ==
        "schema.json: invalid OpenAPI schema: paths./x.get: x-kubernetes-group-version-kind needs string version "
        "and kind");
}

TEST_CASE("a walk through a custom schema finds kyaml's list rules") {
  walk w;
  CHECK(w.key("spec/items") == "name");
  CHECK(w.key("spec/items[]/env") == "key");  // through a ref to a ref, with an escaped name
  CHECK(w.key("spec/ports") == "port+protocol");
  CHECK(w.key("spec/tags") == "(set)");
  CHECK(w.key("spec/alias") == "name");  // a $ref inside a definition
  CHECK(w.key("spec/byName/anything") == "id");
  CHECK(w.none("spec/plain"));             // a merge key without the merge strategy
  CHECK(w.none("spec/ports[]/x"));         // no items schema
  CHECK(w.none("spec/missing"));
  CHECK(w.none("spec/template/spec/containers"));  // a ref the schema does not hold
  w.builtin = true;
  CHECK(w.key("spec/template/spec/containers") == "name");
  CHECK(w.key("spec/template/spec/containers[]/ports") == "containerPort+protocol");
}

TEST_CASE("a walk through a custom schema reports what kyaml cannot use") {
  walk w;
  CHECK(w.error("spec/loop/x") == "schema.json: invalid OpenAPI schema: field spec/loop/x: more than 64 $ref hops "
                                  "(a cycle?)");
  CHECK(w.error("spec/badStrategy") == "schema.json: invalid OpenAPI schema: field spec/badStrategy: "
                                       "x-kubernetes-patch-strategy must be a string");
  CHECK(w.error("spec/badKeys") == "schema.json: invalid OpenAPI schema: field spec/badKeys: x-kubernetes-list-map-keys "
                                   "must be a list of strings");
  CHECK(w.error("spec/badKey") == "schema.json: invalid OpenAPI schema: field spec/badKey: x-kubernetes-patch-merge-key "
                                  "must be a string");
  CHECK(w.error("spec/three") == "schema.json: field spec/three: a list with 3 x-kubernetes-list-map-keys is not "
                                 "supported by gitopsd (at most 2)");
}

TEST_CASE("the $refs merges follow in one build are bounded") {
  walk w;
  w.budget = 1000;  // a few hops of the test schema's refs
  bool stopped = false;
  for (int i = 0; i < 100 && !stopped; ++i) {
    auto r = w.at("spec/items[]/env");
    stopped = !r && r.error().code == render::errc::limit_exceeded;
  }
  REQUIRE(stopped);
  CHECK_THAT(w.error("spec/items[]/env"), Catch::Contains("merging followed more than"));
}

TEST_CASE("a custom schema that go-openapi would not decode is refused, naming the field") {
  CHECK(parse_error("") == "schema.json: invalid OpenAPI schema: the file is empty");
  CHECK(parse_error("[1]") == "schema.json: invalid OpenAPI schema: the document must be a map");
  CHECK(parse_error(R"({"paths": 1})") == "schema.json: invalid OpenAPI schema: paths must be a map");
  CHECK(parse_error(R"({"definitions": []})") == "schema.json: invalid OpenAPI schema: definitions must be a map");
  CHECK(parse_error(R"({"definitions": {"a": 1}})") == "schema.json: invalid OpenAPI schema: definitions.a must be "
                                                        "a map");
  CHECK(parse_error(R"({"definitions": {"a": {"$ref": 1}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.$ref must be a string");
  CHECK(parse_error(R"({"definitions": {"a": {"type": 1}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.type must be a string or a list");
  CHECK(parse_error(R"({"definitions": {"a": {"properties": {"b": {"properties": 1}}}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.properties.b.properties must be a map");
  CHECK(parse_error(R"({"definitions": {"a": {"additionalProperties": 1}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.additionalProperties must be a map or a boolean");
  CHECK(parse_error(R"({"definitions": {"a": {"items": 1}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.items must be a map or a list");
  CHECK(parse_error(R"({"definitions": {"a": {"items": [1]}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.items[] must be a map");
  CHECK(parse_error(R"({"definitions": {"a": {"properties": {"b": {"items": [{}, {"additionalProperties":
          {"patternProperties": {"c": {"$ref": 1}}}}]}}}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.properties.b.items[].additionalProperties"
        ".patternProperties.c.$ref must be a string");
  CHECK(parse_error(R"({"definitions": {"a": {"items": {"type": 2}}}})") ==
        "schema.json: invalid OpenAPI schema: definitions.a.items.type must be a string or a list");
  CHECK(parse_error(R"({"definitions": {"a": {"x-kubernetes-group-version-kind": [{"kind": "A"}]}}})") ==
        "schema.json: invalid OpenAPI schema: definition \"a\": x-kubernetes-group-version-kind needs string "
        "version and kind");
}

TEST_CASE("the build's schema follows kyaml's global state") {
  const render::limits lim;
  gvk deployment{"apps", "v1", "Deployment"};
  gvk gadget{"example.com", "v1", "Gadget"};
  auto rule = [&](openapi_state& s, const gvk& g, const char* api, const char* path) {
    auto r = s.rule(g, api, path);
    REQUIRE(r);
    return r->has_value();
  };
  SECTION("no openapi anywhere: the built-in schema") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml"), std::nullopt, true, lim));
    CHECK(rule(s, deployment, "apps/v1", "spec/template/spec/containers"));
    CHECK_FALSE(rule(s, gadget, "example.com/v1", "spec/items"));
  }
  SECTION("a custom schema at the top replaces the built-in one") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml", {{"path", "schema.json"}}), schema(gadget_schema), true, lim));
    CHECK_FALSE(rule(s, deployment, "apps/v1", "spec/template/spec/containers"));
    CHECK(rule(s, gadget, "example.com/v1", "spec/items"));
  }
  SECTION("a base's schema counts only while none is set; an object of an unknown type asked for the built-in one") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml"), std::nullopt, true, lim));
    REQUIRE(s.probe_type("v1", "ConfigMap"));  // precomputed: no effect
    REQUIRE(s.probe_type("example.com/v1", "Other"));
    REQUIRE(s.set(named("base/kustomization.yaml", {{"path", "schema.json"}}), schema(gadget_schema), false, lim));
    REQUIRE(s.set(named("other/kustomization.yaml", {{"version", "v0"}}), std::nullopt, false, lim));  // ignored
    CHECK(rule(s, deployment, "apps/v1", "spec/template/spec/containers"));
    CHECK(rule(s, gadget, "example.com/v1", "spec/items"));
    CHECK(rule(s, gadget, "example.com/v1", "spec/template/spec/containers"));
  }
  SECTION("a bad custom schema fails only when used") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml", {{"path", "schema.json"}}), schema("[1]"), true, lim));
    REQUIRE(s.probe_type("v1", "ConfigMap"));
    auto used = s.probe_type("example.com/v1", "Other");
    REQUIRE_FALSE(used);
    CHECK(std::string(used.error().what()) == "schema.json: invalid OpenAPI schema: the document must be a map");
    // kyaml panics: every later use fails the same way, and the build can ask.
    CHECK_FALSE(s.probe_type("example.com/v1", "Other"));
    CHECK_FALSE(s.load());
    CHECK_FALSE(s.rule({"", "v1", "ConfigMap"}, "v1", "data"));
    CHECK_FALSE(s.cluster_scoped({"a", "v1", "W"}));
    auto status = s.status();
    REQUIRE_FALSE(status);
    CHECK(std::string(status.error().what()) == "schema.json: invalid OpenAPI schema: the document must be a map");
  }
  SECTION("a bad custom schema a scope query meets is kept for the build") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml", {{"path", "schema.json"}}), schema("[1]"), true, lim));
    CHECK(s.waiting());
    CHECK_FALSE(s.cluster_scoped({"a", "v1", "W"}));
    CHECK_FALSE(s.waiting());
    CHECK_FALSE(s.status());
    CHECK_FALSE(s.probe_type("v1", "ConfigMap"));
  }
  SECTION("the scope of a type: the custom schema's paths, else the built-in table") {
    openapi_state s;
    REQUIRE(s.set(named("kustomization.yaml", {{"path", "schema.json"}}),
                  schema(R"({"paths": {"/w": {"get": {"x-kubernetes-group-version-kind":
                                  {"group": "a", "version": "v1", "kind": "W"}}}}})"),
                  true, lim));
    CHECK(s.cluster_scoped({"a", "v1", "W"}) == true);
    CHECK_FALSE(s.cluster_scoped({"a", "v1", "Other"}));  // not in its paths: the built-in table (namespaced)
    CHECK_FALSE(s.cluster_scoped({"admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy"}));
    openapi_scope scope(s);
    CHECK(is_cluster_scoped({"a", "v1", "W"}));
    CHECK_FALSE(is_cluster_scoped({"a", "v1", "Other"}));
    CHECK(is_cluster_scoped({"", "v1", "Namespace"}));
    CHECK_FALSE(s.cluster_scoped({"", "v1", "Namespace"}));  // precomputed: gitopsd's table decides
  }
  SECTION("versions") {
    openapi_state s;
    CHECK(s.set(named("kustomization.yaml", {{"version", "v1.21.2"}}), std::nullopt, true, lim));
    auto bad = s.set(named("kustomization.yaml", {{"version", "v1.30.0"}}), std::nullopt, true, lim);
    REQUIRE_FALSE(bad);
    CHECK(std::string(bad.error().what()) ==
          "kustomization.yaml: openapi: the specified OpenAPI version \"v1.30.0\" is not built in (only v1.21.2)");
    auto both = s.set(named("kustomization.yaml", {{"version", "v1.21.2"}, {"path", "s.json"}}), schema("{}"), true, lim);
    REQUIRE_FALSE(both);
    CHECK(std::string(both.error().what()) ==
          "kustomization.yaml: openapi: builtin version and custom schema provided, cannot use both");
  }
}

namespace {

result<transformer_config> crds_of(const std::string& text) {
  static testing::memory_tree tree;
  tree.files["crd.yaml"] = text;
  kustomization k;
  k.file = "kustomization.yaml";
  k.crds = {"crd.yaml"};
  return load_crds_config(tree, k, {});
}

std::string crds_error(const std::string& text) {
  auto r = crds_of(text);
  REQUIRE_FALSE(r);
  return r.error().what();
}

}  // namespace

TEST_CASE("crds give name references, annotations, labels and prefixes to custom kinds") {
  auto tc = crds_of(R"(
a.b/v1.Thing:
  Schema:
    properties:
      apiVersion: {}
      kind: {}
      metadata: {}
      spec: {$ref: a.b/v1.Spec}
a.b/v1.Spec:
  schema:
    properties:
      ref: {x-kubernetes-object-ref-api-version: v1, x-kubernetes-object-ref-kind: Secret}
      note: {x-kubernetes-annotation: ""}
      sel: {x-kubernetes-label-selector: ""}
      id: {x-kubernetes-identity: ""}
      notString: {x-kubernetes-annotation: true}
a.b/v1.NotAnObject:
  Schema:
    properties:
      ref: {x-kubernetes-object-ref-api-version: v1, x-kubernetes-object-ref-kind: Secret}
)");
  REQUIRE(tc);
  REQUIRE(tc->name_reference.size() == 1);
  CHECK(tc->name_reference[0].target == gvk{"", "v1", "Secret"});
  REQUIRE(tc->name_reference[0].referrers.size() == 1);
  CHECK(tc->name_reference[0].referrers[0].selector == gvk{"", "", "Thing"});
  CHECK(tc->name_reference[0].referrers[0].path == "spec/ref/name");
  REQUIRE(tc->common_annotations.size() == 1);
  CHECK(tc->common_annotations[0].path == "spec/note");
  REQUIRE(tc->common_labels.size() == 1);
  CHECK(tc->common_labels[0].path == "spec/sel");
  REQUIRE(tc->name_prefix.size() == 1);
  CHECK(tc->name_prefix[0].path == "spec/id");
}

TEST_CASE("crds files kustomize cannot read are refused, naming the file") {
  CHECK(crds_error("") == "crd.yaml: unable to parse open API definition: the file is empty");
  CHECK(crds_error("[1]") == "crd.yaml: unable to parse open API definition: the document must be a map of "
                             "definitions");
  CHECK(crds_error("a: 1") == "crd.yaml: unable to parse open API definition: definition \"a\" must be a map");
  CHECK(crds_error("a: {Schema: 1}") ==
        "crd.yaml: unable to parse open API definition: definition \"a\": Schema must be a map");
  CHECK(crds_error("a: {Dependencies: [1]}") ==
        "crd.yaml: unable to parse open API definition: definition \"a\": Dependencies must be a list of strings");
  CHECK(crds_error("a: {Schema: {properties: 1}}") ==
        "crd.yaml: unable to parse open API definition: definition \"a\": properties must be a map");
  CHECK(crds_error("a: {Schema: {properties: {b: 1}}}") ==
        "crd.yaml: unable to parse open API definition: definition \"a\": property \"b\" must be a map");
  CHECK(crds_error("a: {Schema: {properties: {b: {$ref: 1}}}}") ==
        "crd.yaml: unable to parse open API definition: definition \"a\": property \"b\": $ref must be a string");
  kustomization outside;
  outside.file = "app/kustomization.yaml";
  outside.dir = "app";
  outside.crds = {"../crd.yaml"};
  testing::memory_tree tree;
  auto r = load_crds_config(tree, outside, {});
  REQUIRE_FALSE(r);
  CHECK(std::string(r.error().what()).starts_with("app/kustomization.yaml: crds file \"../crd.yaml\" is outside"));
}

TEST_CASE("crds $refs are followed within bounds") {
  // A cycle: kustomize recurses until its stack overflows; gitopsd stops.
  CHECK(crds_error(R"(
x.Loop:
  Schema:
    properties:
      apiVersion: {}
      kind: {}
      metadata: {}
      self: {$ref: x.Loop}
)") == "crd.yaml: $refs nested more than 64 deep from \"x.Loop\" (a cycle?)");
  // Each definition refers to the next twice: the work doubles per step without a budget.
  std::string doubling = "x.D0:\n  Schema:\n    properties: {apiVersion: {}, kind: {}, metadata: {}, a: {$ref: x.D1}, "
                         "b: {$ref: x.D1}}\n";
  for (int i = 1; i < 40; ++i)
    doubling += fmt::format("x.D{}:\n  Schema:\n    properties: {{a: {{$ref: x.D{}}}, b: {{$ref: x.D{}}}}}\n", i,
                            i + 1, i + 1);
  CHECK(crds_error(doubling) == "crd.yaml: more than 100000 properties visited through $ref");
}

TEST_CASE("crds with wide self-references stay small and fast") {
  // One definition with many long-named properties, each referring to itself: a walk that copied
  // the whole path into every stack entry held gigabytes before its visit limit.
  auto wide = [](bool annotated) {
    std::string text = R"({"x.Wide": {"Schema": {"properties": {"apiVersion": {}, "kind": {}, "metadata": {})";
    for (int i = 0; i < 1500; ++i)
      text += fmt::format(R"(, "{}{}": {{"$ref": "x.Wide"{}}})", std::string(2500, 'p'), i,
                          annotated ? R"(, "x-kubernetes-annotation": "")" : "");
    return text + "}}}}";
  };
  auto start = std::chrono::steady_clock::now();
  CHECK(crds_error(wide(false)) == "crd.yaml: $refs nested more than 64 deep from \"x.Wide\" (a cycle?)");
  CHECK(crds_error(wide(true)) == "crd.yaml: field spec paths longer than 16777216 bytes in all");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}
