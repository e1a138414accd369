#include "memory_tree.hpp"
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"

#include "../../../src/render/kustomize/builtin_plugins.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::render;
using namespace gitopsd::render::kustomize;

namespace {

const char* const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";

plugin_config config(const std::string& yaml) {
  auto docs = decode_documents(yaml, "c.yaml", limits{});
  REQUIRE(docs);
  plugin_config c;
  c.kind = std::string(json::get_string((*docs)[0], "kind").value_or(""));
  c.doc = std::move((*docs)[0]);
  c.origin = "c.yaml";
  return c;
}

resmap one_configmap() {
  resmap ra(1);
  auto docs = decode_documents(cm, "cm.yaml", limits{});
  REQUIRE(docs);
  ra[0].obj = std::move((*docs)[0]);
  ra[0].origin = "cm.yaml";
  return ra;
}

}  // namespace

TEST_CASE("an entry is a config when it reads as YAML maps, else a path", "[kustomize]") {
  limits lim;
  CHECK_FALSE(is_inline_config("t.yaml", lim));
  CHECK_FALSE(is_inline_config("plugins", lim));
  CHECK_FALSE(is_inline_config("- a\n- b\n", lim));
  CHECK_FALSE(is_inline_config("", lim));
  CHECK(is_inline_config("{apiVersion: builtin, kind: LabelTransformer, metadata: {name: l}}", lim));
  CHECK(is_inline_config("apiVersion: builtin\nkind: A\n---\napiVersion: builtin\nkind: B\n", lim));
}

TEST_CASE("inline configs come before those of files, each in the order listed", "[kustomize]") {
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = "";
  t.files["k/a.yaml"] = "apiVersion: builtin\nkind: A\nmetadata:\n  name: a\n";
  kustomization k;
  k.dir = "k";
  k.file = "k/kustomization.yaml";
  std::vector<std::string> entries = {"a.yaml", "plugins", "{apiVersion: builtin, kind: B, metadata: {name: b}}"};
  auto folder = [](const std::string& dir) -> result<resmap> {
    CHECK(dir == "k/plugins");
    resmap out(1);
    out[0].obj.Parse(R"({"apiVersion":"builtin","kind":"C","metadata":{"name":"c"}})");
    return out;
  };
  t.files["k/plugins/kustomization.yaml"] = "";
  auto got = load_plugin_configs(t, k, entries, "transformers", limits{}, folder);
  REQUIRE(got);
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].kind == "B");
  CHECK((*got)[0].entry == "[2]");
  CHECK((*got)[1].kind == "A");
  CHECK((*got)[1].entry == "\"a.yaml\"");
  CHECK((*got)[2].kind == "C");
}

TEST_CASE("a label or annotation config works on its own field specs only", "[kustomize]") {
  limits lim;
  testing::memory_tree t;
  kustomization k;
  auto ra = one_configmap();
  auto none = config("apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  team: a\n");
  REQUIRE(run_builtin_transformer(t, k, none, ra, lim, [] { return result<void>{}; }));
  CHECK(json::find(ra[0].obj, "metadata", "labels") == nullptr);
  auto some = config("apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata:\n  name: l\nannotations:\n  a: b\n"
                     "fieldSpecs:\n- path: metadata/annotations\n  create: true\n");
  REQUIRE(run_builtin_transformer(t, k, some, ra, lim, [] { return result<void>{}; }));
  CHECK(json::get_string(ra[0].obj, "metadata", "annotations", "a") == "b");
}

TEST_CASE("a generator config is the generator entry it equals", "[kustomize]") {
  auto from_meta = read_builtin_generator(
      config("apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: m\n  namespace: ns1\nliterals: [a=b]\n"
             "options:\n  disableNameSuffixHash: true\n"));
  REQUIRE(from_meta);
  CHECK_FALSE(from_meta->secret);
  CHECK(from_meta->spec.name == "m");
  CHECK(from_meta->spec.ns == "ns1");
  CHECK(from_meta->spec.literals == std::vector<std::string>{"a=b"});
  CHECK(from_meta->spec.options.disable_hash == true);
  auto own = read_builtin_generator(config(
      "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: m\nname: own\ntype: kubernetes.io/tls\n"));
  REQUIRE(own);
  CHECK(own->secret);
  CHECK(own->spec.name == "own");
  CHECK(own->spec.type == "kubernetes.io/tls");
}
