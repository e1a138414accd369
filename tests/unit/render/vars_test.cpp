// kustomize's vars: the "$(NAME)" scanner, the field path reader and a build through them.
#include "memory_tree.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include "../../../src/render/kustomize/go_float.hpp"
#include "../../../src/render/kustomize/vars.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

using namespace gitopsd;
using namespace gitopsd::render::kustomize;

namespace {

var_value text(std::string s) {
  var_value v;
  v.text = std::move(s);
  return v;
}

var_lookup lookup() {
  static const std::map<std::string, var_value, std::less<>> vars = [] {
    std::map<std::string, var_value, std::less<>> m;
    m["SVC"] = text("db");
    var_value port;
    port.k = var_value::kind::integer;
    port.integer = 5432;
    m["PORT"] = port;
    var_value on;
    on.k = var_value::kind::boolean;
    on.boolean = true;
    m["ON"] = on;
    var_value list;
    list.k = var_value::kind::opaque;
    m["LIST"] = list;
    m[""] = text("empty");
    return m;
  }();
  return [&](std::string_view name) -> const var_value* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  };
}

var_value expand(std::string_view in) {
  return expand_vars(in, lookup()).value();
}

std::string expand_text(std::string_view in) {
  auto v = expand(in);
  REQUIRE(v.k == var_value::kind::text);
  return v.text;
}

rapidjson::Document parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return d;
}

}  // namespace

TEST_CASE("vars expand in one pass, as kustomize's expansion does", "[kustomize][vars]") {
  CHECK(expand_text("$(SVC):$(PORT)") == "db:5432");
  CHECK(expand_text("x$(ON)y") == "xtruey");
  // Unknown, map or list vars stay as written; so does anything that is not a reference.
  CHECK(expand_text("$(HOME)/$(LIST)") == "$(HOME)/$(LIST)");
  CHECK(expand_text("$(HOME)") == "$(HOME)");
  CHECK(expand_text("$(LIST)") == "$(LIST)");
  CHECK(expand_text("a$b$c$") == "a$b$c$");
  CHECK(expand_text("$") == "$");
  CHECK(expand_text("") == "");
  CHECK(expand_text("no reference") == "no reference");
  // "$$" is one "$", so "$$(SVC)" is the text "$(SVC)", never expanded again.
  CHECK(expand_text("$$(SVC)") == "$(SVC)");
  CHECK(expand_text("$$$(SVC)") == "$db");
  CHECK(expand_text("cost $$5$$") == "cost $5$");
  // An unclosed reference is kept, and the scan goes on after its "$(".
  CHECK(expand_text("$(SVC") == "$(SVC");
  CHECK(expand_text("$($(SVC)") == "$($(SVC)");
  CHECK(expand_text("$(SVC$(SVC)") == "$(SVC$(SVC)");
  CHECK(expand_text("$()") == "empty");
}

TEST_CASE("a string that is exactly one reference takes the var's type", "[kustomize][vars]") {
  auto port = expand("$(PORT)");
  CHECK(port.k == var_value::kind::integer);
  CHECK(port.integer == 5432);
  auto on = expand("$(ON)");
  CHECK(on.k == var_value::kind::boolean);
  CHECK(on.boolean);
  CHECK(expand("$(SVC)") == text("db"));
  CHECK(expand(" $(PORT)") == text(" 5432"));
  CHECK(expand("$(PORT)$(PORT)") == text("54325432"));
}

TEST_CASE("the scan for \"$(\" stays linear on hostile text", "[kustomize][vars]") {
  std::string hostile;
  for (int i = 0; i < 200'000; ++i) hostile += "$(";
  auto start = std::chrono::steady_clock::now();
  CHECK(expand_text(hostile) == hostile);
  // Linear is milliseconds; a quadratic scan of 400 KB would take minutes. The bound holds on a
  // busy machine under sanitizers too.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

TEST_CASE("an expansion stops where the text would outgrow its budget", "[kustomize][vars]") {
  CHECK(expand_vars("$(SVC)$(SVC)", lookup(), 4).value().text == "dbdb");
  CHECK_FALSE(expand_vars("$(SVC)$(SVC)", lookup(), 3).has_value());
  CHECK_FALSE(expand_vars("$(SVC)", lookup(), 1).has_value());
  CHECK_FALSE(expand_vars("$$$$$$", lookup(), 2).has_value());
}

TEST_CASE("a var's fieldpath reads as kyaml reads it", "[kustomize][vars]") {
  auto svc = parse(R"({"metadata":{"name":"db"},"spec":{"ports":[{"port":80,"name":"a.b"},{"port":81}],)"
                   R"("paused":false,"ratio":1.5,"ip":null,"sel":{"app":"x"}}})");
  auto read = [&](std::string_view path) { return read_var_field(svc, path); };
  CHECK(read("metadata.name").value() == text("db"));
  CHECK(read("spec.ports[0].port").value().integer == 80);
  CHECK(read("spec.ports.1.port").value().integer == 81);
  CHECK(read("spec.ports.-.port").value().integer == 81);
  CHECK(read("spec.paused").value().k == var_value::kind::boolean);
  CHECK(read("spec.sel").value().k == var_value::kind::opaque);
  CHECK(read("spec.ports[0]").value().k == var_value::kind::opaque);
  for (auto missing : {"spec.ports[2].port", "spec.nope", "spec.ports.port", "spec.sel.0", "metadata.name.x",
                       "spec.ports[-1].port", "spec.ports[name=a].port", "spec.ports.[name].port", "spec.*",
                       "spec.ports.[name=c].port", "spec.sel.[app=x]"}) {
    INFO(missing);
    auto r = read(missing);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == render::errc::invalid_kustomization);
  }
  CHECK(read("spec.ratio").value().real == 1.5);
  CHECK(read("spec.ip").value() == text("null"));  // a null not known otherwise was written so
  // As kyaml splits paths: list selectors, bracketed and escaped dots, blank parts, a leading dot.
  CHECK(read("spec.ports.[port=80].name").value() == text("a.b"));
  CHECK(read("spec.ports.[name=a.b].port").value().integer == 80);
  CHECK(read("spec..ports. 1 .port").value().integer == 81);
  CHECK(read(".spec.ports.[port=81]").value().k == var_value::kind::opaque);
  auto labels = parse(R"({"metadata":{"labels":{"a.b":"dotted","c":"x"}},"spec":{"list":["p","q"]}})");
  CHECK(read_var_field(labels, "metadata.labels.[a.b]").value() == text("dotted"));
  CHECK(read_var_field(labels, "metadata.labels.a\\.b").value() == text("dotted"));
  CHECK(read_var_field(labels, "spec.list.[=q]").value() == text("q"));
}

TEST_CASE("a var's field reads as written where the file's text is known", "[kustomize][vars]") {
  auto cm = parse(R"({"data":{"a":null,"t":"2001-12-14T00:00:00Z","o":10,"h":31,"u":1.8446744073709552e19,)"
                  R"("g":1000.5,"b":10.5,"l":[null]}})");
  using wk = render::written_scalar::kind;
  render::written_scalars written{{wk::null, "/data/a", "~"},         {wk::timestamp, "/data/t", "2001-12-14"},
                                  {wk::integer, "/data/o", "012"},    {wk::integer, "/data/h", "0x1F"},
                                  {wk::integer, "/data/u", "18446744073709551616"},
                                  {wk::floating, "/data/g", "1_000.5"}, {wk::floating, "/data/b", "1__0.5"},
                                  {wk::null, "/data/l/0", ""}};
  std::sort(written.begin(), written.end(), [](const auto& x, const auto& y) { return x.pointer < y.pointer; });
  auto read = [&](std::string_view path) { return read_var_field(cm, path, written); };
  CHECK(read("data.a").value() == text("~"));
  CHECK(read("data.l[0]").value() == text(""));
  CHECK(read("data.t").value() == text("2001-12-14"));
  CHECK(read("data.o").value().integer == 12);  // strconv.Atoi reads decimal, go-yaml octal
  CHECK(read("data.g").value().real == 1000.5);
  for (auto refused : {"data.h", "data.u", "data.b"}) {
    INFO(refused);
    auto r = read(refused);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == render::errc::invalid_kustomization);
  }
  CHECK(std::string(read("data.h").error().what()) ==
        "field \"data.h\" is written 0x1F, which kustomize reads with Go's strconv.Atoi and refuses");
  // A text whose field has changed since (a patch wrote another value) no longer counts.
  auto changed = parse(R"({"data":{"a":"x","t":"2002-01-01T00:00:00Z","o":11}})");
  CHECK(read_var_field(changed, "data.a", written).value() == text("x"));
  CHECK(read_var_field(changed, "data.t", written).value() == text("2002-01-01T00:00:00Z"));
  CHECK(read_var_field(changed, "data.o", written).value().integer == 11);
}

TEST_CASE("a var never reads a written text from a list a strategic merge may have reordered", "[kustomize][vars]") {
  // kustomize reads `weight: 017` with Atoi as 17. A patch that adds container b (weight 15) puts
  // it first, so the place of a's text now holds b's value: refused rather than guessed.
  auto build = [](const std::string& patch) {
    testing::memory_tree t;
    t.files["k/kustomization.yaml"] =
        "resources:\n- pod.yaml\npatches:\n- patch: |-\n" + patch +
        "vars:\n- name: W\n  objref: {kind: Pod, name: p, apiVersion: v1}\n"
        "  fieldref:\n    fieldpath: spec.containers[0].weight\n";
    t.files["k/pod.yaml"] =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "  - name: a\n    weight: 017\n    args: [\"$(W)\"]\n";
    return render::render(t, "k");
  };
  auto reordered = build("    {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: b, weight: 15}]}}\n");
  REQUIRE_FALSE(reordered.has_value());
  CHECK(reordered.error().code == render::errc::unsupported);
  CHECK_THAT(reordered.error().what(), Catch::Contains("spec.containers[0].weight") &&
                                           Catch::Contains("strategic merge patch changed"));
  // A patch without lists moves nothing: the text is still read (kustomize gives the number 17).
  auto kept = build("    {apiVersion: v1, kind: Pod, metadata: {name: p, labels: {a: b}}}\n");
  REQUIRE(kept.has_value());
  CHECK_THAT(json::serialize((*kept)[0].object), Catch::Contains(R"("args":[17])"));
}

TEST_CASE("objref apiVersion overrides group and version", "[kustomize][vars]") {
  auto vars = [](const char* yaml_json) {
    auto d = parse(yaml_json);
    auto r = read_vars(d, "k.yaml");
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 1);
    return r->front();
  };
  auto v = vars(R"([{"name":"A","objref":{"kind":"Queue","name":"q","apiVersion":"m.example.com/v2","group":"g",)"
                R"("version":"v9"}}])");
  CHECK(v.type == gvk{"m.example.com", "v2", "Queue"});
  CHECK(v.field_path == "metadata.name");
  v = vars(R"([{"name":"A","objref":{"kind":"Queue","name":"q","apiVersion":"v1","group":"g"}}])");
  CHECK(v.type == gvk{"g", "v1", "Queue"});
  v = vars(R"([{"NAME":"A","objRef":{"kind":"Queue","name":"q"},"fieldRef":{"fieldPath":"spec.x"}}])");
  CHECK(v.field_path == "spec.x");
  CHECK(v.type.version.empty());
  auto bad = parse(R"([{"name":"A","objref":{"kind":"Queue","nam":"q"}}])");
  auto r = read_vars(bad, "k.yaml");
  REQUIRE_FALSE(r.has_value());
  CHECK(std::string(r.error().what()) == "k.yaml: unknown field \"nam\" in vars.objref");
}

namespace {

const char* const service_and_deployment =
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\nspec:\n  clusterIP: null\n  ports:\n  - port: 5432\n---\n"
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n"
    "      containers:\n      - name: web\n        args: [\"--db=$(DB)\"]\n";

std::string failure(const std::string& kustomization, render::errc code) {
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = "resources:\n- objects.yaml\n" + kustomization;
  t.files["k/objects.yaml"] = service_and_deployment;
  auto r = render::render(t, "k");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
  return r.error().what();
}

}  // namespace

TEST_CASE("vars whose value gitopsd cannot render as kustomize does are refused", "[kustomize][vars]") {
  // A replacement that creates a number leaves kustomize's node untagged: vars read it as text and
  // expand it into a string (corpus case vars-replacement-created). Once a patch in an overlay has
  // changed the object, gitopsd no longer knows which numbers those are.
  auto patched_later = [](const std::string& replacement, const std::string& overlay) {
    testing::memory_tree t;
    t.files["k/base/kustomization.yaml"] = "resources:\n- objects.yaml\nreplacements:\n" + replacement;
    t.files["k/base/objects.yaml"] = service_and_deployment;
    t.files["k/kustomization.yaml"] = "resources:\n- base\n" + overlay;
    auto r = render::render(t, "k");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == render::errc::unsupported);
    return std::string(r.error().what());
  };
  CHECK(patched_later("- source: {kind: Service}\n  targets:\n  - select: {kind: Service}\n"
                      "    fieldPaths: [\"spec.ports.[port=8080].name\"]\n    options: {create: true}\n",
                      "patches:\n- target: {kind: Service}\n"
                      "  patch: '[{\"op\": \"add\", \"path\": \"/spec/type\", \"value\": \"x\"}]'\n"
                      "vars:\n- name: DB\n  objref: {kind: Service, name: db, apiVersion: v1}\n"
                      "  fieldref: {fieldpath: spec.ports.1.port}\n") ==
        "k/kustomization.yaml: var \"DB\" in Service/db: field \"spec.ports.1.port\" may be a number or boolean a "
        "replacement created before a patch, which kustomize would read as text");
  CHECK(patched_later("- source: {kind: Service, fieldPath: spec.ports.0.port}\n  targets:\n"
                      "  - select: {kind: Deployment}\n    fieldPaths: [spec.template.metadata.annotations.port]\n"
                      "    options: {create: true}\n",
                      "patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n"
                      "    metadata: {name: web}\n    spec: {paused: true}\n"
                      "vars:\n- name: DB\n  objref: {kind: Service, name: db, apiVersion: v1}\n")
            .starts_with("k/base/objects.yaml#2: field \"spec/template/metadata/annotations\" of Deployment/web: a "
                         "replacement (create) wrote a number or boolean into this object and a patch changed it "
                         "since"));
  // A long value referenced many times stops at the render budget.
  std::string many = "  - name: web\n    args: [";
  for (int i = 0; i < 2000; ++i) many += "\"$(DB)\",";
  many += "\"x\"]\n";
  testing::memory_tree t;
  t.files["k/kustomization.yaml"] = "resources:\n- objects.yaml\nvars:\n- name: DB\n"
                                    "  objref: {kind: Service, name: db, apiVersion: v1}\n"
                                    "  fieldref: {fieldpath: metadata.annotations.long}\n";
  t.files["k/objects.yaml"] = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  annotations:\n    long: " +
                              std::string(20'000, 'x') + "\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
                              "spec:\n  containers:\n" + many;
  render::options small;
  small.build.max_bytes = 1u << 20;
  auto r = render::render(t, "k", small);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == render::errc::limit_exceeded);
  CHECK(r.error().what() == "k/objects.yaml#2: field \"spec/containers/args\" of Pod/web: vars make the objects grow "
                            "past the build's budget (limit max-render-bytes)");
  // A label value that vars expand nowhere is still only tried within the budget.
  std::string refs;
  for (int i = 0; i < 2000; ++i) refs += "$(DB)";
  testing::memory_tree labels;
  labels.files["k/kustomization.yaml"] = t.files["k/kustomization.yaml"] + "transformers:\n- labels.yaml\n";
  labels.files["k/objects.yaml"] = "apiVersion: v1\nkind: Service\nmetadata:\n  name: db\n  annotations:\n    long: " +
                                   std::string(20'000, 'x') + "\n";
  labels.files["k/labels.yaml"] = "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  big: \"" +
                                  refs + "\"\nfieldSpecs:\n- path: data/big\n  create: true\n";
  auto big = render::render(labels, "k", small);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == render::errc::limit_exceeded);
  CHECK(big.error().what() == "k/objects.yaml#1: Service/db: vars make its label and annotation values grow past the "
                              "build's budget (limit max-render-bytes)");
  // kustomize shares one node between the copies of a common label: expanding metadata/labels
  // changes the selectors too.
  CHECK(failure("commonLabels:\n  db: $(DB)\nvars:\n- name: DB\n  objref: {kind: Service, name: db, apiVersion: v1}\n",
                render::errc::unsupported)
            .starts_with("k/objects.yaml#1: the label or annotation value \"$(DB)\" of Service/db stays "
                         "unexpanded where vars do not reach (a selector, a template): kustomize shares"));
  // Deployment annotations are expanded twice (metadata and template share the node).
  CHECK(failure("commonAnnotations:\n  db: $$(DB)\nvars:\n- name: DB\n  objref: {kind: Service, name: db, "
                "apiVersion: v1}\n",
                render::errc::unsupported)
            .starts_with("k/objects.yaml#2: the label or annotation value \"$$(DB)\" of Deployment/web is expanded "
                         "in two places"));
}

TEST_CASE("many vars over many objects stay quick", "[kustomize][vars]") {
  testing::memory_tree t;
  std::string objects, vars = "vars:\n";
  for (int i = 0; i < 3000; ++i) {
    objects += fmt::format("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{}\n  annotations:\n"
                           "    next: $(V{})\n", i, i + 1);
    vars += fmt::format("- name: V{}\n  objref: {{kind: ConfigMap, name: c{}, apiVersion: v1}}\n", i, i);
  }
  t.files["k/kustomization.yaml"] = "resources:\n- objects.yaml\n" + vars;
  t.files["k/objects.yaml"] = objects;
  auto start = std::chrono::steady_clock::now();
  auto r = render::render(t, "k");
  REQUIRE(r.has_value());
  // Well under a second when each var finds its object through the index; the bound is loose so
  // that a busy machine does not fail it, and still catches a scan of every object per var.
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(json::get_string((*r)[0].object, "metadata", "annotations", "next") == "c1");
}

TEST_CASE("floats are written as Go writes them", "[kustomize][vars]") {
  // %v, where a float stands inside a longer string.
  CHECK(go_float_g(1500) == "1500");
  CHECK(go_float_g(1.5) == "1.5");
  CHECK(go_float_g(100000) == "100000");
  CHECK(go_float_g(1e6) == "1e+06");
  CHECK(go_float_g(1234567) == "1.234567e+06");
  CHECK(go_float_g(0.0001) == "0.0001");
  CHECK(go_float_g(0.00001) == "1e-05");
  CHECK(go_float_g(-2.25) == "-2.25");
  CHECK(go_float_g(1e100) == "1e+100");
  CHECK(go_float_g(0) == "0");
  CHECK(go_float_g(0.1) == "0.1");
  // strconv 'f', -1: how an annotation that is exactly "$(FLOAT)" is written back.
  CHECK(go_float_f(1500) == "1500");
  CHECK(go_float_f(1.5) == "1.5");
  CHECK(go_float_f(1e21) == "1000000000000000000000");
  CHECK(go_float_f(0.00001) == "0.00001");
  CHECK(go_float_f(-0.5) == "-0.5");
  CHECK(go_float_f(0) == "0");
}
