#include "print_error.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/substitute.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

substitution vars(variables v, bool strict = false) {
  substitution s;
  s.vars = std::move(v);
  s.strict = strict;
  return s;
}

std::string sub(std::string_view text, const substitution& s) {
  auto r = substitute_text(text, s);
  REQUIRE(r);
  return *r;
}

std::string sub_error(std::string_view text, const substitution& s) {
  auto r = substitute_text(text, s);
  REQUIRE_FALSE(r);
  return r.error().what();
}

}  // namespace

TEST_CASE("substitution: ${var} is replaced, undefined is empty, bare $var stays", "[substitute]") {
  auto s = vars({{"app", "web"}, {"n", "3"}});
  CHECK(sub("name: ${app}-${n}", s) == "name: web-3");
  CHECK(sub("x: ${missing}.", s) == "x: .");
  CHECK(sub("x: $app $ {app} $(app)", s) == "x: $app $ {app} $(app)");
}

TEST_CASE("substitution: whitespace inside braces is not a name", "[substitute]") {
  // "${ app}": the name cannot be read.
  CHECK_THAT(sub_error("${ app}", vars({{"app", "x"}})), Catch::Contains("unable to parse variable name"));
}

TEST_CASE("substitution: $$ is one literal $, so $${var} stays a reference", "[substitute]") {
  auto s = vars({{"v", "x"}});
  CHECK(sub("$${v}", s) == "${v}");
  CHECK(sub("$$v $$", s) == "$v $");
  CHECK(sub("$$$${v}", s) == "$${v}");
  CHECK(sub("$$${v}", s) == "$x");
  CHECK(sub("a$", s) == "a$");
  CHECK(sub("}{$}", s) == "}{$}");
}

TEST_CASE("substitution: defaults apply when the value is empty or undefined", "[substitute]") {
  auto s = vars({{"set", "yes"}, {"empty", ""}});
  for (std::string op : {":=", ":-", "=", ":?", ":+"}) {
    CHECK(sub("${set" + op + "d}", s) == "yes");
    CHECK(sub("${empty" + op + "d}", s) == "d");
    CHECK(sub("${none" + op + "d}", s) == "d");
  }
  CHECK(sub("${none:=}", s) == "");
  CHECK(sub("${none:-a b:c$d}", s) == "a b:c$d");
  CHECK(sub("${none:-$$}", s) == "$$");  // no escape inside a default
  CHECK(sub("${none:-x}y}", s) == "xy}");
}

TEST_CASE("substitution: defaults may hold nested expressions", "[substitute]") {
  auto s = vars({{"a", "A"}, {"b", ""}});
  CHECK(sub("${x:=pre-${a}-post}", s) == "pre-A-post");
  CHECK(sub("${x:=${b:-${a}}}", s) == "A");
  CHECK(sub("${a:=${undefined}}", s) == "A");
}

TEST_CASE("substitution: length, case and substring functions", "[substitute]") {
  auto s = vars({{"v", "Hello"}});
  CHECK(sub("${#v}", s) == "5");
  CHECK(sub("${#none}", s) == "0");
  CHECK(sub("${v^^}", s) == "HELLO");
  CHECK(sub("${v,,}", s) == "hello");
  CHECK(sub("${v,}", s) == "hello");
  CHECK(sub("${v^}", vars({{"v", "abc"}})) == "Abc");
  CHECK(sub("${v,^}", s) == "Hello");
  CHECK(sub("${v:1}", s) == "ello");
  CHECK(sub("${v:1:3}", s) == "ell");
  CHECK(sub("${v:-2}", s) == "Hello");  // ":-" is a default, not a negative offset
  CHECK(sub("${v: -2}", s) == "Hello");  // not a number: the whole value
  CHECK(sub("${v:9}", s) == "");
  CHECK(sub("${v:2:99}", s) == "llo");
  CHECK(sub("${v:x:2}", s) == "Hello");
  CHECK(sub("${v:1::2}", s) == "el");
  CHECK(sub("${v:${n:=1}:${m:=2}}", s) == "el");
}

TEST_CASE("substitution: malformed expressions fail with the library's words and the line", "[substitute]") {
  auto s = vars({{"v", "x"}});
  CHECK_THAT(sub_error("a: 1\nb: ${", s), Catch::Contains("line 2: unable to parse variable name"));
  CHECK_THAT(sub_error("${}", s), Catch::Contains("unable to parse variable name"));
  CHECK_THAT(sub_error("${v", s), Catch::Contains("missing closing brace"));
  CHECK_THAT(sub_error("${v-d}", s), Catch::Contains("missing closing brace"));
  CHECK_THAT(sub_error("${v x}", s), Catch::Contains("missing closing brace"));
  CHECK_THAT(sub_error("${v:=d", s), Catch::Contains("unable to parse substitution within function"));
  CHECK_THAT(sub_error("${v:}", s), Catch::Contains("unable to parse substitution within function"));
  CHECK_THAT(sub_error("${v:1:}", s), Catch::Contains("unable to parse substitution within function"));
  CHECK_THAT(sub_error("${v:1x", s), Catch::Contains("bad substitution"));
  CHECK_THAT(sub_error("${v:1:2", s), Catch::Contains("bad substitution"));
  CHECK_THAT(sub_error("${#}", s), Catch::Contains("bad substitution"));
  CHECK_THAT(sub_error("${#v:=1}", s), Catch::Contains("bad substitution"));
  CHECK_THAT(sub_error("${v^^^}", s), Catch::Contains("bad substitution"));
  auto unsupported = substitute_text("${v/a/b}", s);
  REQUIRE_FALSE(unsupported);
  CHECK(unsupported.error().code == errc::unsupported);
  CHECK_THAT(sub_error("${v#a}", s), Catch::Contains("not supported"));
  CHECK_THAT(sub_error("${v%a}", s), Catch::Contains("not supported"));
}

TEST_CASE("substitution: strict mode names the undefined variable: defaults still apply", "[substitute]") {
  auto s = vars({{"v", "x"}, {"empty", ""}}, true);
  CHECK(sub("${v} ${empty} ${none:=d} ${none:-d}", s) == "x  d d");
  CHECK_THAT(sub_error("${none}", s), Catch::Contains("variable not set (strict mode): \"none\""));
  CHECK_THAT(sub_error("${none^^}", s), Catch::Contains("variable not set (strict mode): \"none\""));
  CHECK_THAT(sub_error("${#none}", s), Catch::Contains("variable not set (strict mode)"));
  CHECK_THAT(sub_error("${none:1}", s), Catch::Contains("variable not set (strict mode)"));
  CHECK_THAT(sub_error("${v:=${none}}", s), Catch::Contains("\"none\""));
}

TEST_CASE("substitution: nesting and output are bounded", "[substitute]") {
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "${a:=";
  deep += "x";
  for (int i = 0; i < 100; ++i) deep += "}";
  auto r = substitute_text(deep, vars({{"b", "1"}}));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == errc::limit_exceeded);
  auto s = vars({{"big", std::string(1000, 'x')}});
  s.max_output_bytes = 10'000;
  std::string many;
  for (int i = 0; i < 20; ++i) many += "${big}";
  auto big = substitute_text(many, s);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == errc::limit_exceeded);
  // A value is inserted once, never read again as an expression.
  CHECK(sub("${v}", vars({{"v", "${w}"}, {"w", "no"}})) == "${w}");
}

TEST_CASE("substitution: variable names follow Flux's rule: values lose line breaks", "[substitute]") {
  CHECK(valid_variable_name("_a1"));
  CHECK(valid_variable_name("CLUSTER_NAME"));
  CHECK_FALSE(valid_variable_name(""));
  CHECK_FALSE(valid_variable_name("1a"));
  CHECK_FALSE(valid_variable_name("a-b"));
  CHECK_FALSE(valid_variable_name("a.b"));
  CHECK_FALSE(valid_variable_name("é"));
  auto bad = check_variable_names({{"ok", "1"}, {"app.name", "2"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "'app.name' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'");
  CHECK(variable_value("a\nb\n") == "ab");
  CHECK(variable_value("a\r\nb") == "a\rb");
}

namespace {

std::vector<manifest> objects_of(std::string_view yaml) {
  auto docs = read_manifests(yaml, "app.yaml", {});
  REQUIRE(docs);
  return std::move(*docs);
}

}  // namespace

TEST_CASE("substitution of objects: each object's YAML text, read back with Kubernetes' YAML rules", "[substitute]") {
  auto objects = objects_of(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${app}-config\ndata:\n  replicas: ${n}\n  quoted: \"${n}\"\n"
      "  keep: $${n}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\n  annotations:\n    gitopsd.io/substitute: disabled\n"
      "data:\n  v: ${app}\n---\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw2\n  labels:\n    gitopsd.io/substitute: disabled\n"
      "data:\n  v: ${app}\n");
  auto s = vars({{"app", "web"}, {"n", "3"}});
  auto ok = substitute_objects(objects, s);
  REQUIRE(ok);
  CHECK(json::get_string(objects[0].object, "metadata", "name") == "web-config");
  // The YAML text is written without the quotes a string needs only before substitution, so a
  // number substituted into a plain value reads back as a number, as it does with Flux.
  const auto* replicas = json::find(objects[0].object, "data", "replicas");
  REQUIRE(replicas != nullptr);
  CHECK(replicas->IsInt());
  CHECK(json::get_string(objects[0].object, "data", "keep") == "${n}");
  CHECK(json::get_string(objects[1].object, "data", "v") == "${app}");
  CHECK(json::get_string(objects[2].object, "data", "v") == "${app}");
}

TEST_CASE("substitution of objects: nothing happens without variables", "[substitute]") {
  auto objects = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: ${x:=d} $${y}\n");
  REQUIRE(substitute_objects(objects, vars({})));
  CHECK(json::get_string(objects[0].object, "data", "v") == "${x:=d} $${y}");
  // Strict mode without variables does nothing either (Flux substitutes only when some exist).
  REQUIRE(substitute_objects(objects, vars({}, true)));
}

TEST_CASE("substitution of objects: failures name the object and never a value", "[substitute]") {
  auto objects = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: ${secret}\n  w: ${none}\n");
  auto strict = substitute_objects(objects, vars({{"secret", "s3cr3t"}}, true));
  REQUIRE_FALSE(strict);
  CHECK_THAT(strict.error().what(), Catch::Contains("app.yaml#1 (ConfigMap/a)"));
  CHECK_THAT(strict.error().what(), Catch::Contains("\"none\""));

  auto broken = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: ${secret}\n");
  auto r = substitute_objects(broken, vars({{"secret", "[s3cr3t: {"}}));
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().what(), Catch::Contains("app.yaml#1 (ConfigMap/a): after variable substitution the object is not valid YAML"));
  CHECK_THAT(r.error().what(), !Catch::Contains("s3cr3t"));

  // Grown past a budget of the YAML reader: that budget is named, not "not valid YAML".
  auto grown = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  v: ${x}\n");
  limits small;
  small.max_file_bytes = 4096;
  auto big = substitute_objects(grown, vars({{"x", std::string(8192, 'v')}}), small);
  REQUIRE_FALSE(big);
  CHECK_THAT(big.error().what(), Catch::Contains("app.yaml#1 (ConfigMap/a): after variable substitution") &&
                                     Catch::Contains("(limit max-yaml-file-bytes)"));

  auto unnamed = objects_of("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n");
  auto e = substitute_objects(unnamed, vars({{"n", ""}}));
  REQUIRE_FALSE(e);
  CHECK_THAT(e.error().what(), Catch::Contains("metadata.name is missing or empty"));

  auto bad_name = substitute_objects(unnamed, vars({{"a-b", "x"}}));
  REQUIRE_FALSE(bad_name);
  CHECK_THAT(bad_name.error().what(), Catch::Contains("'a-b' var name is invalid"));
}
