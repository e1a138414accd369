// The conformance corpora, checked against outputs recorded from the real tools: `kustomize build`
// (v5.8.1) for tests/testdata/kustomize and `kubectl` (v1.36.3) for tests/testdata/yaml. The oracle
// tests (label `oracle`) run the tools themselves over the same cases.
#include "corpus.hpp"

#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include <fstream>
#include <sstream>

using namespace gitopsd;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("kustomize corpus equals the recorded kustomize v5 output", "[corpus]") {
  auto cases = testing::entries(testing::testdata("kustomize"), true);
  CHECK(cases.size() >= 40);
  for (const auto& dir : cases) {
    disk_tree tree(dir);
    auto got = render::render(tree, "");
    INFO("case " << dir.filename().string());
    REQUIRE(got);
    auto want = testing::objects_of(slurp(dir / "expected.yaml"), "expected.yaml");
    testing::check_same(want, *got, dir.filename().string(), false);
  }
}

TEST_CASE("YAML corpus decodes as kubectl decodes it", "[corpus]") {
  auto dir = testing::testdata("yaml");
  disk_tree tree(dir);
  int count = 0;
  for (const auto& file : testing::entries(dir, false)) {
    std::string name = file.filename().string();
    if (!(name.ends_with(".yaml") || name.ends_with(".json")) || name.ends_with(".kubectl.json")) continue;
    auto got = render::render(tree, name);
    INFO("file " << name);
    REQUIRE(got);
    auto want = testing::objects_of(slurp(dir / (name + ".kubectl.json")), name + ".kubectl.json");
    testing::check_same(want, *got, name, true);
    ++count;
  }
  CHECK(count >= 10);
}

TEST_CASE("files kubectl rejects are rejected, with the place", "[corpus]") {
  disk_tree tree(testing::testdata("yaml/bad"));
  auto fail = [&](const char* name) {
    auto r = render::render(tree, name);
    REQUIRE_FALSE(r);
    return r.error().what();
  };
  CHECK(fail("inf.yaml") == "inf.yaml:6:10: .inf cannot be represented in JSON");
  CHECK(fail("nan.yaml") == "nan.yaml:6:10: .NaN cannot be represented in JSON");
  CHECK(fail("merge-scalar.yaml") == "merge-scalar.yaml:6:9: map merge requires map or sequence of maps as the value");
  CHECK(fail("control-character.yaml") == "control-character.yaml:6:8: control characters are not allowed");
  CHECK(fail("syntax.yaml").starts_with("syntax.yaml:"));
  CHECK(fail("undefined-alias.yaml").starts_with("undefined-alias.yaml:4:"));
  CHECK(fail("empty-flow-entry.yaml") == "empty-flow-entry.yaml:6:12: did not find expected node content");
  CHECK(fail("escaped-slash.yaml") == "escaped-slash.yaml:6:15: found unknown escape character \\/");
  CHECK(fail("directive.yaml") == "directive.yaml:1:1: directives (%YAML, %TAG) are not supported: kubectl refuses them");
  CHECK(fail("comma-after-sequence.yaml") == "comma-after-sequence.yaml:7:3: did not find expected node content");
  CHECK(fail("comma-after-root-value.yaml") == "comma-after-root-value.yaml:1:76: ',' after the document's value: kubectl "
                                               "ignores the rest of the document, gitopsd refuses it");
  CHECK(fail("bad-binary.yaml") == "bad-binary.yaml:6:6: !!binary value contains invalid base64 data");
  CHECK(fail("json-then-yaml-after-two.yaml") == "json-then-yaml-after-two.yaml:3:2: invalid JSON: Missing a name for object member.");
  CHECK(fail("utf16-no-bom.yaml") == "utf16-no-bom.yaml:1:2: control characters are not allowed (the file looks like UTF-16 "
                                     "without a byte order mark: save it as UTF-8)");
  // A deliberate difference: kubectl keeps the last of two keys that both read as "true".
  CHECK(fail("duplicate-bool-keys.yaml") == "duplicate-bool-keys.yaml:8:3: duplicate key \"true\"");
}

TEST_CASE("Flux folder corpus equals kustomize's build of the kustomization Flux generates", "[corpus]") {
  auto cases = testing::entries(testing::testdata("flux"), true);
  CHECK(cases.size() >= 3);
  for (const auto& dir : cases) {
    disk_tree tree(dir);
    auto got = render::render(tree, "tree");
    INFO("case " << dir.filename().string());
    REQUIRE(got);
    auto want = testing::objects_of(slurp(dir / "expected.yaml"), "expected.yaml");
    testing::check_same(want, *got, dir.filename().string(), false);
  }
}

TEST_CASE("kustomizations kustomize refuses are refused, naming the file", "[corpus]") {
  auto base = testing::testdata("kustomize-bad");
  auto fail = [&](const char* name) {
    disk_tree tree(base / name);
    auto r = render::render(tree, "");
    REQUIRE_FALSE(r);
    return r.error().what();
  };
  CHECK(fail("several-kustomization-files") ==
        ".: several kustomization files (kustomization.yaml and kustomization.yml); kustomize refuses a folder with "
        "more than one");
  CHECK(fail("several-kustomization-files-capital") ==
        ".: several kustomization files (kustomization.yaml and Kustomization); kustomize refuses a folder with more "
        "than one");
  CHECK(fail("empty-strategic-merge-patch") == "kustomization.yaml: patchesStrategicMerge: the patches are empty");
  CHECK(fail("empty-json6902-patch") == "kustomization.yaml: patchesJson6902[0]: patch file \"patch.yaml\" is empty");
  CHECK(fail("jsonpatch-replace-missing-parent") ==
        "kustomization.yaml patches[0]: JSON patch replace /spec/nothing/key: path does not exist");
  CHECK(fail("jsonpatch-replace-past-end") ==
        "kustomization.yaml patches[0]: JSON patch replace /spec/list/3: bad array index");
  CHECK(fail("generator-behavior-unknown-exists") ==
        "kustomization.yaml: configMapGenerator \"m\" already exists (by base/kustomization.yaml (configMapGenerator "
        "m)); use behavior merge or replace");
  CHECK(fail("remote-patch-url") ==
        "kustomization.yaml: remote patch \"https://gitopsd-test.invalid/patch.yaml\" is not supported by gitopsd");
  CHECK(fail("empty-inline-patch") == "kustomization.yaml: patches[0]: exactly one of path and patch must be set");
  CHECK(fail("component-wrong-apiversion") ==
        "comp/kustomization.yaml: apiVersion of a Component must be kustomize.config.k8s.io/v1alpha1, not "
        "\"kustomize.config.k8s.io/v1beta1\"");
  CHECK(fail("component-wrong-kind") ==
        "comp/kustomization.yaml: apiVersion of a Kustomization must be kustomize.config.k8s.io/v1beta1, not "
        "\"kustomize.config.k8s.io/v1alpha1\"");
  CHECK(fail("component-as-resource") == "kustomization.yaml: \"comp\" is a Component: list it under components");
  CHECK(fail("kustomization-v1alpha1") ==
        "kustomization.yaml: apiVersion of a Kustomization must be kustomize.config.k8s.io/v1beta1, not "
        "\"kustomize.config.k8s.io/v1alpha1\"");
  CHECK(fail("unknown-kind") == "kustomization.yaml: kind must be Kustomization or Component, not \"Overlay\"");
  CHECK(fail("subject-missing-namespace").starts_with("rbac.yaml#3: the reference \"sa\" at subjects could mean "
                                                      "several objects"));
  CHECK(fail("configurations-missing-file").starts_with("kustomization.yaml: configurations file \"kustomizeconfig.yaml\": "));
  CHECK(fail("configurations-not-a-map") == "config.yaml: a transformer configuration must be a map");
  CHECK(fail("configurations-unknown-key") ==
        "config.yaml: unknown field \"nameReferences\" in the transformer configuration");
  CHECK(fail("configurations-fieldspec-unknown-key") == "config.yaml: unknown field \"kinds\" in images");
  CHECK(fail("configurations-create-not-bool") == "config.yaml: field \"replicas.create\" must be true or false");
  CHECK(fail("configurations-outside-root") ==
        "app/kustomization.yaml: configurations file \"../shared-config.yaml\" is outside the kustomization's "
        "folder, which kustomize does not allow for files");
  CHECK(fail("configurations-conflict") ==
        "kustomization.yaml: conflicting field specs in commonLabels: path \"metadata/labels\" is given with create "
        "false and true");
  CHECK(fail("labels-fields-conflict") ==
        "kustomization.yaml: conflicting field specs in labels: path \"metadata/labels\" is given with create false "
        "and true");
  CHECK(fail("labels-fields-scalar-target") ==
        "db.yaml#1: field \"spec/replicas\" of Database/db: expected a map but found a scalar");
  CHECK(fail("generate-name") ==
        "job.yaml#1: objects with generateName cannot be applied server-side; give it a name");
  CHECK(fail("helm-chart-resource") == "chart is a Helm chart, which gitopsd does not render");
  CHECK(fail("exec-plugin-transformer") ==
        "kustomization.yaml: transformers entry \"plugin.yaml\": someteam.example.com/v1 ChartInflator is a plugin "
        "(exec or KRM function), which gitopsd does not run");
  CHECK(fail("krm-function-generator") ==
        "kustomization.yaml: generators entry \"fn.yaml\": example.com/v1 Generate is a plugin (exec or KRM "
        "function), which gitopsd does not run");
  CHECK(fail("not-a-kubernetes-object") == "values.yaml#1: missing apiVersion");
  CHECK(fail("file-outside-root") == "overlay/kustomization.yaml: resource \"../cm.yaml\" is outside the "
                                     "kustomization's folder, which kustomize does not allow for files");
  CHECK(fail("builtin-config-twice") ==
        "kustomization.yaml: transformers entry \"labels.yaml\": LabelTransformer team is configured twice");
  CHECK(fail("builtin-generator-as-transformer") ==
        "kustomization.yaml transformers[0]#1: builtin ConfigMapGenerator is a generator, not a transformer: list it "
        "under generators");
  CHECK(fail("builtin-prefix-no-fieldspecs") ==
        "prefix.yaml#1: PrefixTransformer needs fieldSpecs (kustomize gives it none of its own)");
  CHECK(fail("builtin-transformer-as-generator") ==
        "labels.yaml#1: builtin LabelTransformer is not a generator: list it under transformers");
  CHECK(fail("builtin-unknown-kind") ==
        "kustomization.yaml transformers[0]#1: kustomize has no built-in transformer \"SortOrderTransformer\"");
  CHECK(fail("builtin-transformers-cycle") == "kustomization.yaml: cycle: this kustomization includes itself");
  CHECK(fail("builtin-json6902-no-ops") == "patch.yaml#1: PatchJson6902Transformer: the patch has no operations");
  CHECK(fail("vars-duplicate-name") ==
        "kustomization.yaml: var \"DB\" is declared twice (also in base/kustomization.yaml); kustomize allows one "
        "var of a name in a build");
  CHECK(fail("vars-objref-no-match") ==
        "kustomization.yaml: var \"DB\": no object matches its objref (no apiVersion) Service \"db\" (kustomize "
        "compares group, version, kind and name exactly)");
  CHECK(fail("vars-objref-cluster-scoped-namespace") ==
        "kustomization.yaml: var \"ROLE\": no object matches its objref rbac.authorization.k8s.io/v1 ClusterRole "
        "\"reader\" in namespace default (a namespace on a kind without namespaces matches nothing)");
  CHECK(fail("vars-objref-ambiguous") ==
        "kustomization.yaml: var \"DB\": 2 objects match its objref v1 Service \"db\" (Service/db and Service/db in "
        "namespace other)");
  CHECK(fail("vars-bad-fieldpath") ==
        "kustomization.yaml: var \"DB\" in Service/db: field \"spec.ports[1].port\" not found");
  CHECK(fail("vars-list-not-string") ==
        "resources.yaml#2: field \"spec/template/spec/containers/args\" of Deployment/web: a list item is not a "
        "string, which kustomize refuses when it expands vars");
  CHECK(fail("openapi-missing-file").starts_with("kustomization.yaml: openapi path \"schema.json\": "));
  CHECK(fail("openapi-base-missing-file").starts_with("base/kustomization.yaml: openapi path \"gone.json\": "));
  CHECK(fail("openapi-path-outside-root") == "app/kustomization.yaml: openapi path \"../schema.json\" is outside the "
                                              "kustomization's folder, which kustomize does not allow for files");
  CHECK(fail("openapi-version-unknown") ==
        "kustomization.yaml: openapi: the specified OpenAPI version \"v1.29.0\" is not built in (only v1.21.2)");
  CHECK(fail("openapi-version-and-path") ==
        "kustomization.yaml: openapi: builtin version and custom schema provided, cannot use both");
  CHECK(fail("openapi-bad-schema-object") == "schema.json: invalid OpenAPI schema: definitions must be a map");
  CHECK(fail("openapi-bad-schema-patch") ==
        "schema.yaml:2:1: end of sequence flow not found (reading an OpenAPI schema)");
  CHECK(fail("openapi-base-bad-schema-late") == "base/schema.json: invalid OpenAPI schema: the document must be a map");
  CHECK(fail("openapi-bad-gvk") == "schema.json: invalid OpenAPI schema: definition \"x\": "
                                   "x-kubernetes-group-version-kind needs string version and kind");
  CHECK(fail("crds-missing-file").starts_with("kustomization.yaml: crds file \"crd.json\": "));
  CHECK(fail("crds-not-a-map") ==
        "crd.yaml: unable to parse open API definition: the document must be a map of definitions");
  CHECK(fail("crds-empty-file") == "crd.yaml: unable to parse open API definition: the file is empty");
  CHECK(fail("crds-bad-properties") ==
        "crd.json: unable to parse open API definition: definition \"a.B\": properties must be a map");
  CHECK(fail("vars-integer-hex") == "kustomization.yaml: var \"PORT\" in ConfigMap/settings: field \"data.port\" is "
                                    "written 0x1F, which kustomize reads with Go's strconv.Atoi and refuses");
  CHECK(fail("vars-float-bad-underscore") ==
        "kustomization.yaml: var \"PORT\" in ConfigMap/settings: field \"data.port\" is written 1__0.5, which "
        "kustomize reads with Go's strconv.ParseFloat and refuses");
  CHECK(fail("smp-unknown-patch-strategy") == "patch.yaml: unknown patch strategy 'bogus'");
  // A targeted patch that reads as a string (found by the kustomization fuzzer: a crash before).
  CHECK(fail("patch-scalar-targeted") == "kustomization.yaml patches[0]: a strategic merge patch must be a map");
  // A JSON patch that removes metadata (or replaces the root) leaves no object to name.
  CHECK(fail("jsonpatch-remove-metadata") == "kustomization.yaml patches[0]: the JSON patch leaves ConfigMap/c without a "
                                             "metadata.name (not an object, or its name removed)");
  // Every case has its message above.
  CHECK(testing::entries(base, true).size() == 61);
}
