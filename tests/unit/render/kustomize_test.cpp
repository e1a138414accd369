#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include "../../../src/render/kustomize/field_names.hpp"
#include "../../../src/render/kustomize/model.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

const char* const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";

testing::memory_tree with(std::string kustomization) {
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = std::move(kustomization);
  t.files["k/cm.yaml"] = cm;
  return t;
}

// A kustomization with one inline plugin config.
std::string plugin(const std::string& field, const std::string& kind, const std::string& rest = "") {
  return "resources:\n- cm.yaml\n" + field + ":\n- |\n  apiVersion: builtin\n  kind: " + kind +
         "\n  metadata:\n    name: x\n" + rest;
}

std::string failure(const testing::memory_tree& t, errc code) {
  auto r = render::render(t, "k");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == code);
  return r.error().what();
}

}  // namespace

TEST_CASE("a folder with a kustomization file is built with kustomize", "[kustomize]") {
  auto t = with("resources:\n- cm.yaml\nnamePrefix: p-\n");
  auto r = render::render(t, "k");
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(json::get_string((*r)[0].object, "metadata", "name") == "p-a");
  CHECK((*r)[0].origin == "k/cm.yaml#1");
  CHECK(*kustomize::find_kustomization(t, "k") == std::optional<std::string>("k/kustomization.yaml"));
  testing::memory_tree other;
  other.files["x/Kustomization"] = "resources: []\n";
  CHECK(*kustomize::find_kustomization(other, "x") == std::optional<std::string>("x/Kustomization"));
  CHECK_FALSE(kustomize::find_kustomization(other, "y")->has_value());
}

TEST_CASE("unsupported and unknown kustomization fields are errors naming field and file", "[kustomize]") {
  CHECK(failure(with("helmCharts:\n- name: x\n"), errc::unsupported) ==
        "k/kustomization.yaml: field \"helmCharts\" is not supported by gitopsd");
  CHECK(failure(with("resourcez:\n- cm.yaml\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: unknown field \"resourcez\" in the kustomization");
  CHECK(failure(with("resources:\n- https://github.com/x/y//base?ref=v1\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote resource \"https://github.com/x/y//base?ref=v1\" is not supported by gitopsd");
  CHECK(failure(with("resources:\n- github.com/x/y/base\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote resource \"github.com/x/y/base\" is not supported by gitopsd");
  CHECK(failure(with("resources:\n- git::https://example.com/repo.git//base?ref=v1\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote resource \"git::https://example.com/repo.git//base?ref=v1\" is not supported "
        "by gitopsd");
  CHECK(failure(with("resources:\n- git@github.com:x/y.git\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote resource \"git@github.com:x/y.git\" is not supported by gitopsd");
  // kustomize downloads files given as URLs (patches, generator files, configurations, crds...).
  CHECK(failure(with("configMapGenerator:\n- name: c\n  files: [k=https://example.com/f]\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote file \"https://example.com/f\" is not supported by gitopsd");
  CHECK(failure(with("configurations: [http://example.com/c.yaml]\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote configurations file \"http://example.com/c.yaml\" is not supported by gitopsd");
  CHECK(failure(with("openapi: {path: https://example.com/o.json}\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote openapi path \"https://example.com/o.json\" is not supported by gitopsd");
  CHECK(failure(with("components:\n- https://example.com/c\n"), errc::unsupported) ==
        "k/kustomization.yaml: remote component \"https://example.com/c\" is not supported by gitopsd");
  CHECK(failure(with("transformers:\n- https://example.com/t.yaml\n"), errc::unsupported) ==
        "k/kustomization.yaml: transformers entry \"https://example.com/t.yaml\" is a remote resource, which gitopsd "
        "does not fetch");
  CHECK(failure(with("generators:\n- |\n  apiVersion: example.com/v1\n  kind: Gen\n  metadata:\n    name: g\n"),
                errc::unsupported) ==
        "k/kustomization.yaml: generators entry [0]: example.com/v1 Gen is a plugin (exec or KRM function), which "
        "gitopsd does not run");
  auto function = with("transformers:\n- fn.yaml\n");
  function.files["k/fn.yaml"] =
      "apiVersion: builtin\nkind: X\nmetadata:\n  name: f\n  annotations:\n    config.kubernetes.io/function: "
      "'exec: {path: ./run}'\n";
  CHECK(failure(function, errc::unsupported) ==
        "k/kustomization.yaml: transformers entry \"fn.yaml\": builtin X is a plugin (exec or KRM function), which "
        "gitopsd does not run");
  CHECK(failure(with("sortOptions:\n  order: fifo\n  legacySortOptions: {}\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: the field 'sortOptions.legacySortOptions' is set but the selected sort order is "
        "'fifo', not 'legacy'");
  CHECK(failure(with("sortOptions:\n  order: legacy\n  legacySortOptions: {orderFirst: [1]}\n"),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml: field \"sortOptions.legacySortOptions.orderFirst\" must be a list of strings");
}

TEST_CASE("badly typed kustomization fields are errors", "[kustomize]") {
  auto bad = [](const char* text) { return failure(with(text), errc::invalid_kustomization); };
  CHECK(bad("resources: cm.yaml\n") == "k/kustomization.yaml: field \"resources\" must be a list of strings");
  CHECK(bad("namespace: [a]\n") == "k/kustomization.yaml: field \"namespace\" must be a string");
  CHECK(bad("commonLabels:\n  a: 1\n") == "k/kustomization.yaml: field \"commonLabels.a\" must be a string");
  CHECK(bad("apiVersion: v9\n") ==
        "k/kustomization.yaml: apiVersion of a Kustomization must be kustomize.config.k8s.io/v1beta1, not \"v9\"");
  CHECK(bad("kind: Other\n") == "k/kustomization.yaml: kind must be Kustomization or Component, not \"Other\"");
  CHECK(bad("images:\n- name: x\n  bogus: 1\n") == "k/kustomization.yaml: unknown field \"bogus\" in images");
  CHECK(bad("replicas:\n- name: x\n  count: many\n") == "k/kustomization.yaml: field \"replicas.count\" must be an integer");
  CHECK(bad("configMapGenerator:\n- literals: [a=b]\n") == "k/kustomization.yaml: configMapGenerator: an entry has no name");
  CHECK(bad("patches:\n- target: {kind: A}\n") ==
        "k/kustomization.yaml: patches[0]: exactly one of path and patch must be set");
  CHECK(bad("patchesJson6902:\n- patch: '[]'\n") == "k/kustomization.yaml: patchesJson6902[0]: target is required");
  CHECK(bad("sortOptions:\n  order: random\n") ==
        "k/kustomization.yaml: sortOptions.order must be legacy or fifo, not \"random\"");
  CHECK(bad("- a\n- b\n") == "k/kustomization.yaml: must hold exactly one YAML map");
  CHECK(bad("patchesStrategicMerge:\n- missing.yaml\n") ==
        "k/kustomization.yaml: patch \"missing.yaml\": k/missing.yaml: no such file or directory");
  CHECK(bad("generatorOptions:\n  disableNameSuffixHash: maybe\n") ==
        "k/kustomization.yaml: field \"generatorOptions.disableNameSuffixHash\" must be true or false");
}

TEST_CASE("resource errors: missing files, folders without kustomization, cycles, components", "[kustomize]") {
  CHECK(failure(with("resources:\n- nope.yaml\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: resource \"nope.yaml\": k/nope.yaml: no such file or directory");
  auto t = with("resources:\n- sub\n");
  t.files["k/sub/x.yaml"] = cm;
  CHECK(failure(t, errc::invalid_kustomization) ==
        "k/kustomization.yaml: resource \"sub\" is a folder without a kustomization");
  auto loop = with("resources:\n- ../l\n");
  loop.files["l/kustomization.yaml"] = "resources:\n- ../k\n";
  CHECK(failure(loop, errc::invalid_kustomization) == "k/kustomization.yaml: cycle: this kustomization includes itself");
  auto comp = with("resources:\n- c\n");
  comp.files["k/c/kustomization.yaml"] = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n";
  CHECK(failure(comp, errc::invalid_kustomization) ==
        "k/kustomization.yaml: \"c\" is a Component: list it under components");
  auto notcomp = with("components:\n- c\n");
  notcomp.files["k/c/kustomization.yaml"] = "resources: []\n";
  CHECK(failure(notcomp, errc::invalid_kustomization) ==
        "k/kustomization.yaml: component \"c\" must have kind: Component");
  auto dup = with("resources:\n- cm.yaml\n- again.yaml\n");
  dup.files["k/again.yaml"] = cm;
  CHECK(failure(dup, errc::conflict) == "k/kustomization.yaml: ConfigMap/a is already defined (by k/cm.yaml#1)");
  auto clash = with("resources:\n- two.yaml\nnamespace: z\n");
  clash.files["k/two.yaml"] = std::string(cm) + "---\n" + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: other\n";
  CHECK(failure(clash, errc::conflict) == "namespace z makes two objects the same: ConfigMap/a in namespace z");
  auto up = with("resources:\n- ../shared.yaml\n");
  up.files["shared.yaml"] = cm;
  CHECK(failure(up, errc::invalid_kustomization) ==
        "k/kustomization.yaml: resource \"../shared.yaml\" is outside the kustomization's folder, which kustomize "
        "does not allow for files");
  auto up_patch = with("resources: [cm.yaml]\npatches:\n- path: ../p.yaml\n");
  up_patch.files["p.yaml"] = cm;
  CHECK(failure(up_patch, errc::invalid_kustomization) ==
        "k/kustomization.yaml: patch \"../p.yaml\" is outside the kustomization's folder, which kustomize "
        "does not allow for files");
  auto up_gen = with("configMapGenerator:\n- name: g\n  files: [../f.txt]\n");
  up_gen.files["f.txt"] = "x";
  CHECK(failure(up_gen, errc::invalid_kustomization) ==
        "k/kustomization.yaml: file \"../f.txt\" is outside the kustomization's folder, which kustomize "
        "does not allow for files");
  auto outside = with("resources:\n- ../../x.yaml\n");
  CHECK(failure(outside, errc::invalid_kustomization) ==
        "k/kustomization.yaml: resource \"../../x.yaml\": path \"k/../../x.yaml\" leads outside the tree");
  auto bad_object = with("resources:\n- cm.yaml\n");
  bad_object.files["k/cm.yaml"] = "kind: ConfigMap\n";
  CHECK(failure(bad_object, errc::invalid_manifest) == "k/cm.yaml#1: missing apiVersion");
}

TEST_CASE("generator and patch errors", "[kustomize]") {
  CHECK(failure(with("configMapGenerator:\n- name: c\n  literals: [novalue]\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: invalid literal \"novalue\", expected key=value");
  CHECK(failure(with("configMapGenerator:\n- name: c\n  literals: [a=1, a=2]\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: generator \"c\": key \"a\" is given twice");
  CHECK(failure(with("configMapGenerator:\n- name: c\n  literals: ['bad key=1']\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: configMapGenerator \"c\": invalid key \"bad key\"");
  auto env = with("configMapGenerator:\n- name: c\n  envs: [x.env]\n");
  env.files["k/x.env"] = "A=1\nBAD KEY\n";
  CHECK(failure(env, errc::invalid_kustomization) == "k/kustomization.yaml: x.env line 2: invalid key \"BAD KEY\"");
  CHECK(failure(with("configMapGenerator:\n- name: c\n  files: [missing.txt]\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: cannot read \"missing.txt\": k/missing.txt: no such file or directory");
  CHECK(failure(with("resources: [cm.yaml]\nconfigMapGenerator:\n- name: a\n  literals: [x=y]\n"), errc::conflict) ==
        "k/kustomization.yaml: configMapGenerator \"a\" already exists (by k/cm.yaml#1); use behavior merge or replace");
  CHECK(failure(with("configMapGenerator:\n- name: z\n  behavior: merge\n  literals: [x=y]\n"),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml: configMapGenerator \"z\": behavior merge needs an existing ConfigMap of that name");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n"
                     "    metadata: {name: zz}\n"),
                errc::conflict) ==
        "k/kustomization.yaml patches[0]: 0 objects match the patch target ConfigMap/zz; exactly one must");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- patch: '[{\"op\": \"remove\", \"path\": \"/data\"}]'\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: a JSON patch needs a target");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: "
                     "'[{\"op\": \"remove\", \"path\": \"/nope\"}]'\n"),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml patches[0]: JSON patch remove /nope: path does not exist");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: "
                     "'[{\"op\": \"test\", \"path\": \"/data/k\", \"value\": \"w\"}]'\n"),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml patches[0]: JSON patch test /data/k: test failed");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- target: {kind: ConfigMap}\n  patch: "
                     "'[{\"op\": \"jump\", \"path\": \"/data\"}]'\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: JSON patch jump /data: unknown operation");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- target: {name: '('}\n  patch: '[]'\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: invalid regular expression \"(\" in target");
  CHECK(failure(with("resources: [cm.yaml]\nreplicas:\n- name: a\n  count: 2\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: replicas: no Deployment, StatefulSet, ReplicaSet or ReplicationController is named \"a\"");
  // kyaml knows $patch: merge, replace and delete, on a map, a list element or a whole list.
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n"
                     "    metadata: {name: a, $patch: keep}\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: unknown patch strategy 'keep'");
  std::string pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: c, image: i}\n";
  auto pod_failure = [&](const std::string& containers) {
    testing::memory_tree t;
    t.files["k/kustomization.yaml"] = "resources: [pod.yaml]\npatches:\n- path: patch.yaml\n";
    t.files["k/pod.yaml"] = pod;
    t.files["k/patch.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n" + containers;
    auto r = render::render(t, "k");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == errc::invalid_kustomization);
    return std::string(r.error().what());
  };
  CHECK(pod_failure("  - {name: c, $patch: keep}\n") == "k/patch.yaml: unknown patch strategy 'keep'");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n"
                     "    metadata: {name: a}\n    $patch: keep\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: unknown patch strategy 'keep'");
  CHECK(pod_failure("  - $patch: keep\n") == "k/patch.yaml: unknown patch strategy 'keep'");
  CHECK(pod_failure("  - {name: d, env: [{name: e, $patch: keep}]}\n") == "k/patch.yaml: unknown patch strategy 'keep'");
  // kyaml's keyed merge is quadratic in the list's length: a very long list is refused.
  std::string long_env;
  for (int i = 0; i < 3100; ++i) long_env += fmt::format("    - {{name: E{}}}\n", i);
  pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: i\n"
        "    env:\n" + long_env;
  testing::memory_tree long_list;
  long_list.files["k/kustomization.yaml"] = "resources: [pod.yaml]\npatches:\n- path: patch.yaml\n";
  long_list.files["k/pod.yaml"] = pod;
  long_list.files["k/patch.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                                    "  - {name: c, env: [{name: X}]}\n";
  auto too_long = render::render(long_list, "k");
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().code == errc::limit_exceeded);
  CHECK(std::string(too_long.error().what()) ==
        "k/patch.yaml: spec/containers[]/env: a list of 3101 elements is more than gitopsd merges by its keys "
        "(3000)");
  CHECK(failure(with("resources: [cm.yaml]\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n"
                     "    metadata: {name: a, labels: {x: {$patch: keep}}}\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml patches[0]: unknown patch strategy 'keep'");
}

TEST_CASE("labels fields and configurations errors name the file", "[kustomize]") {
  CHECK(failure(with("resources: [cm.yaml]\nlabels:\n- pairs: {a: b}\n  fields: {path: x}\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml: field \"labels.fields\" must be a list");
  CHECK(failure(with("resources: [cm.yaml]\nlabels:\n- pairs: {a: b}\n  fields: [{path: 3}]\n"),
                errc::invalid_kustomization) == "k/kustomization.yaml: field \"labels.fields.path\" must be a string");
  // Where a transformer meets a list or a map instead of a value, or a value on the way.
  CHECK(failure(with("resources: [cm.yaml]\nlabels:\n- pairs: {a: b}\n  fields: [{path: data/k/x}]\n"),
                errc::invalid_kustomization) ==
        "k/cm.yaml#1: field \"data/k/x\" of ConfigMap/a: expected sequence or mapping node");
  auto t = with("resources: [cm.yaml]\nconfigurations: [c.yaml]\nnamePrefix: p-\n");
  t.files["k/c.yaml"] = "namePrefix:\n- path: data\n";
  CHECK(failure(t, errc::invalid_kustomization) == "k/cm.yaml#1: field \"data\" of ConfigMap/p-a: expected a scalar but found a map");
  t.files["k/c.yaml"] = "nameReference:\n- kind: ConfigMap\n  fieldSpecs: {path: x}\n";
  CHECK(failure(t, errc::invalid_kustomization) == "k/c.yaml: field \"nameReference.fieldSpecs\" must be a list");
  t.files["k/c.yaml"] = "images: [3]\n";
  CHECK(failure(t, errc::invalid_kustomization) == "k/c.yaml: each entry of \"images\" must be a map");
  std::string many = "commonLabels:\n";
  for (int i = 0; i <= 5000; ++i) many += "- {path: spec/l" + std::to_string(i) + "}\n";
  t.files["k/c.yaml"] = many;
  CHECK(failure(t, errc::limit_exceeded) == "k/c.yaml: field \"commonLabels\" has more than 5000 field specs");
  t.files["k/c.yaml"] = "";  // an empty file configures nothing
  auto r = render::render(t, "k");
  REQUIRE(r);
  CHECK(json::get_string((*r)[0].object, "metadata", "name") == "p-a");
  t.files.erase("k/c.yaml");
  CHECK(failure(t, errc::invalid_kustomization).starts_with("k/kustomization.yaml: configurations file \"c.yaml\": "));
}

TEST_CASE("name hash and Go JSON strings follow kustomize", "[kustomize]") {
  auto doc = json::parse(R"({"kind":"ConfigMap","metadata":{"name":"x"},"data":{"key":"v1"}})");
  REQUIRE(doc);
  // Recorded from kustomize v5.8.1 (case generator-refs): the name does not enter the hash.
  CHECK(kustomize::name_hash(*doc) == "db9647b5kt");
  CHECK(kustomize::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string out;
  kustomize::go_json_string(out, "<a&b>\n\"\x01\xff\xe2\x80\xa8");
  CHECK(out == "\"\\u003ca\\u0026b\\u003e\\n\\\"\\u0001\\ufffd\\u2028\"");
}

TEST_CASE("resources and patches of a kustomize build are read with kustomize's YAML rules", "[kustomize]") {
  const char* app =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n    port: 8080\ndata:\n"
      "  image: y\n  enabled: yes\n  date: 2002-1-1\n";
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] =
      "resources:\n- cm.yaml\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n"
      "      name: a\n    data:\n      patched: on\n"
      "- target: {kind: ConfigMap}\n  patch: |-\n    - {op: add, path: /data/json_patch, value: on}\n";
  t.files["k/cm.yaml"] = app;
  t.files["plain/cm.yaml"] = app;
  auto built = render::render(t, "k");
  REQUIRE(built);
  REQUIRE(built->size() == 1);
  CHECK(json::serialize((*built)[0].object) ==
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"port":"8080"}},)"
        R"("data":{"image":"y","enabled":"yes","date":"2002-01-01T00:00:00Z","patched":"on","json_patch":true}})");
  // A plain folder keeps kubectl's reading of the same file.
  auto plain = render::render(t, "plain");
  REQUIRE(plain);
  REQUIRE(plain->size() == 1);
  CHECK(json::serialize((*plain)[0].object) ==
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","annotations":{"port":8080}},)"
        R"("data":{"image":true,"enabled":true,"date":"2002-1-1"}})");
}

TEST_CASE("field names are matched as Go's encoding/json matches them", "[kustomize]") {
  using kustomize::fold_field_name;
  using kustomize::match_field;
  CHECK(fold_field_name("namePrefix") == "NAMEPREFIX");
  CHECK(fold_field_name("name\xC5\xBFuffix") == "NAMESUFFIX");          // long s
  CHECK(fold_field_name("\xE2\x84\xAAind") == "KIND");                  // Kelvin sign
  CHECK(fold_field_name("\xC4\xB1mages") == "IMAGES");                   // dotless i
  CHECK(fold_field_name("caf\xC3\xA9") == "CAF\xC3\xA9");                // other letters stay
  CHECK(match_field("nameprefix", {"namePrefix", "nameSuffix"}) == std::optional<std::string_view>("namePrefix"));
  CHECK(match_field("NAMESUFFIX", {"namePrefix", "nameSuffix"}) == std::optional<std::string_view>("nameSuffix"));
  CHECK_FALSE(match_field("name_prefix", {"namePrefix"}).has_value());
  CHECK_FALSE(match_field("namePrefixes", {"namePrefix"}).has_value());
}

TEST_CASE("kustomization fields in any case: the last of two spellings wins", "[kustomize]") {
  auto t = with("RESOURCES:\n- cm.yaml\nnamePrefix: a-\nnameprefix: b-\n");
  auto r = render::render(t, "k");
  REQUIRE(r);
  CHECK(json::get_string((*r)[0].object, "metadata", "name") == "b-a");
  CHECK(failure(with("resources:\n- cm.yaml\nnamePrefixes: x\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: unknown field \"namePrefixes\" in the kustomization");
  CHECK(failure(with("resources:\n- cm.yaml\nimages:\n- NAME: a\n  NewTagz: b\n"), errc::invalid_kustomization) ==
        "k/kustomization.yaml: unknown field \"NewTagz\" in images");
}

TEST_CASE("legacy fields: bases after resources, imageTags after images", "[kustomize]") {
  auto t = with("sortOptions: {order: fifo}\nbases:\n- base\nresources:\n- cm.yaml\n");
  t.files["k/base/kustomization.yaml"] = "resources:\n- b.yaml\n";
  t.files["k/base/b.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n";
  auto r = render::render(t, "k");
  REQUIRE(r);
  REQUIRE(r->size() == 2);
  CHECK(json::get_string((*r)[0].object, "metadata", "name") == "a");
  CHECK(json::get_string((*r)[1].object, "metadata", "name") == "b");
  auto tags = with("resources:\n- pod.yaml\nimageTags:\n- {name: nginx, newTag: '2'}\nimages:\n- {name: nginx, newTag: '1'}\n");
  tags.files["k/pod.yaml"] =
      "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
  auto p = render::render(tags, "k");
  REQUIRE(p);
  CHECK(json::get_string((*p)[0].object["spec"]["containers"][0], "image") == "nginx:2");
}

TEST_CASE("empty patch files: patches applies nothing, the legacy fields refuse them", "[kustomize]") {
  auto t = with("resources:\n- cm.yaml\npatches:\n- path: empty.yaml\n");
  t.files["k/empty.yaml"] = "# nothing\n";
  auto r = render::render(t, "k");
  REQUIRE(r);
  CHECK(r->size() == 1);
  auto json6902 = with("resources:\n- cm.yaml\npatchesJson6902:\n- path: empty.yaml\n  target: {kind: ConfigMap, name: a}\n");
  json6902.files["k/empty.yaml"] = "";
  CHECK(failure(json6902, errc::invalid_kustomization) ==
        "k/kustomization.yaml: patchesJson6902[0]: patch file \"empty.yaml\" is empty");
  auto psm = with("resources:\n- cm.yaml\npatchesStrategicMerge:\n- empty.yaml\n- also.yaml\n");
  psm.files["k/empty.yaml"] = "";
  psm.files["k/also.yaml"] = "\n";
  CHECK(failure(psm, errc::invalid_kustomization) ==
        "k/kustomization.yaml: patchesStrategicMerge: the patches are empty");
  // One patch with content among empty ones is enough for kustomize.
  psm.files["k/also.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: w\n";
  CHECK(render::render(psm, "k").has_value());
}

TEST_CASE("Component and Kustomization apiVersions follow kustomize's rule", "[kustomize]") {
  auto ok = [](const char* comp) {
    auto t = with("resources:\n- cm.yaml\ncomponents:\n- c\n");
    t.files["k/c/kustomization.yaml"] = comp;
    return render::render(t, "k");
  };
  CHECK(ok("kind: Component\nnamePrefix: c-\n").has_value());
  CHECK(ok("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n").has_value());
  auto wrong = ok("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Component\n");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().what() == "k/c/kustomization.yaml: apiVersion of a Component must be "
                                "kustomize.config.k8s.io/v1alpha1, not \"kustomize.config.k8s.io/v1beta1\"");
  CHECK(failure(with("apiVersion: kustomize.config.k8s.io/v1alpha1\nresources:\n- cm.yaml\n"),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml: apiVersion of a Kustomization must be kustomize.config.k8s.io/v1beta1, not "
        "\"kustomize.config.k8s.io/v1alpha1\"");
}

TEST_CASE("several kustomization files in one folder are refused", "[kustomize]") {
  auto t = with("resources:\n- cm.yaml\n");
  t.files["k/Kustomization"] = "resources:\n- cm.yaml\n";
  CHECK(failure(t, errc::invalid_kustomization) ==
        "k: several kustomization files (k/kustomization.yaml and k/Kustomization); kustomize refuses a folder with "
        "more than one");
  auto base = with("resources:\n- base\n");
  base.files["k/base/kustomization.yml"] = "resources: []\n";
  base.files["k/base/Kustomization"] = "resources: []\n";
  CHECK(failure(base, errc::invalid_kustomization).starts_with("k/base: several kustomization files"));
}

TEST_CASE("a Helm chart as a resource or component is refused by name", "[kustomize]") {
  auto t = with("resources:\n- chart\n");
  t.files["k/chart/Chart.yaml"] = "apiVersion: v2\nname: chart\nversion: 1.0.0\n";
  CHECK(failure(t, errc::unsupported) == "k/chart is a Helm chart, which gitopsd does not render");
  auto c = with("components:\n- chart\n");
  c.files["k/chart/Chart.yaml"] = "apiVersion: v2\nname: chart\nversion: 1.0.0\n";
  CHECK(failure(c, errc::unsupported) == "k/chart is a Helm chart, which gitopsd does not render");
}

TEST_CASE("load restrictor none lets a kustomization read files outside its folder", "[kustomize]") {
  auto t = with("resources:\n- ../shared.yaml\npatches:\n- path: ../p.yaml\n");
  t.files["shared.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n";
  t.files["p.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  k: v\n";
  CHECK(failure(t, errc::invalid_kustomization) ==
        "k/kustomization.yaml: patch \"../p.yaml\" is outside the kustomization's folder, which kustomize does not "
        "allow for files");
  render::options none;
  none.load = render::load_restrictor::none;
  auto r = render::render(t, "k", none);
  REQUIRE(r);
  REQUIRE(r->size() == 1);
  CHECK(json::get_string((*r)[0].object, "data", "k") == "v");
  // Still never outside the tree.
  auto out = with("resources:\n- ../../x.yaml\n");
  CHECK_FALSE(render::render(out, "k", none).has_value());
}

TEST_CASE("built-in plugins gitopsd does not run are refused, naming file and kind", "[kustomize]") {
  CHECK(failure(with(plugin("transformers", "ValueAddTransformer")), errc::unsupported) ==
        "k/kustomization.yaml transformers[0]#1: the built-in ValueAddTransformer is not supported by gitopsd");
  CHECK(failure(with(plugin("generators", "IAMPolicyGenerator")), errc::unsupported) ==
        "k/kustomization.yaml generators[0]#1: the built-in IAMPolicyGenerator is not supported by gitopsd");
  auto helm = with("resources:\n- cm.yaml\ngenerators:\n- helm.yaml\n");
  helm.files["k/helm.yaml"] = "apiVersion: builtin\nkind: HelmChartInflationGenerator\nmetadata:\n  name: h\n";
  CHECK(failure(helm, errc::unsupported) ==
        "k/helm.yaml#1: the built-in HelmChartInflationGenerator is not supported by gitopsd");
  CHECK(failure(with(plugin("transformers", "NamespaceTransformer", "  setRoleBindingSubjects: some\n")),
                errc::invalid_kustomization) ==
        "k/kustomization.yaml transformers[0]#1: invalid value \"some\" for setRoleBindingSubjects: must be one of "
        "defaultOnly, none or allServiceAccounts");
  CHECK(failure(with("transformers:\n- missing.yaml\n"), errc::invalid_kustomization)
            .starts_with("k/kustomization.yaml: entry \"missing.yaml\": "));
}

TEST_CASE("a custom OpenAPI schema's errors name its file by its path in the tree", "[kustomize]") {
  auto t = with("openapi:\n  path: ./sub/../schema.json\nresources:\n- cm.yaml\npatches:\n- patch: |\n"
                "    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n");
  t.files["k/schema.json"] = "[1]";
  CHECK(failure(t, errc::invalid_kustomization) == "k/schema.json: invalid OpenAPI schema: the document must be a map");
}
