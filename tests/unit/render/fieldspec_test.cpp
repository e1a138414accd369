// kustomize's field spec walk and the merge of transformer configurations, as pure functions.
#include "print_error.hpp"

#include "gitopsd/core/json.hpp"

#include "../../../src/render/kustomize/transformer_config.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace gitopsd;
using namespace gitopsd::render::kustomize;

namespace {

rapidjson::Document parse(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

// Sets every place `path` reaches to "x"; the object afterwards, or the error.
std::string visit(const char* object, std::string_view path, create_as create) {
  auto d = parse(object);
  auto r = visit_path(d, path, create, d.GetAllocator(), [&](rapidjson::Value& v) -> result<void> {
    v.SetString("x");
    return {};
  });
  if (!r) return "error: " + r.error().what();
  return json::serialize(d);
}

}  // namespace

TEST_CASE("a field spec path walks lists and creates only where told", "[kustomize]") {
  CHECK(visit(R"({"s":[{"m":{}},{"n":1}]})", "s[]/m/l", create_as::map) ==
        R"({"s":[{"m":{"l":"x"}},{"n":1,"m":{"l":"x"}}]})");
  CHECK(visit(R"({"s":[{"m":{}}]})", "s/m/l", create_as::nothing) == R"({"s":[{"m":{}}]})");
  CHECK(visit(R"({})", "a[]/b", create_as::map) == R"({})");  // a list is never created
  CHECK(visit(R"({"a":null})", "a[]/b", create_as::nothing) == R"({"a":[]})");
  CHECK(visit(R"({"a":null})", "a/b", create_as::map) == R"({"a":{"b":"x"}})");
  CHECK(visit(R"({"a":null})", "a/b", create_as::nothing) == R"({"a":null})");
  CHECK(visit(R"({})", R"(/a/b\/c)", create_as::scalar) == R"({"a":{"b/c":"x"}})");
  CHECK(visit(R"({"a":3})", "a/b", create_as::map) == "error: expected sequence or mapping node");
  CHECK(visit(R"({"a":{}})", "a//b", create_as::map) == "error: cannot set or create an empty field name");
}

TEST_CASE("field specs merge as kustomize merges them", "[kustomize]") {
  std::vector<field_spec> specs = {{{}, "metadata/labels", true}};
  // A spec whose selector chooses one already there, with the same path, is that one.
  REQUIRE(merge_spec(specs, {{}, "metadata/labels", true}, "labels"));
  CHECK(specs.size() == 1);
  // A narrower selector does not choose the wider spec: both stay.
  REQUIRE(merge_spec(specs, {{"", "", "Foo"}, "metadata/labels", false}, "labels"));
  CHECK(specs.size() == 2);
  // The wider selector chooses the narrower spec first, whose create differs.
  std::vector<field_spec> narrow_first = {{{"", "", "Foo"}, "metadata/labels", false}};
  auto conflict = merge_spec(narrow_first, {{}, "metadata/labels", true}, "commonLabels");
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().what() ==
        "conflicting field specs in commonLabels: path \"metadata/labels\" is given with create false and true");
}

TEST_CASE("configurations are sorted by type and merged by target", "[kustomize]") {
  const auto& builtin = builtin_config();
  CHECK(builtin.name_prefix.size() == 1);
  CHECK(builtin.var_reference.size() == 72);
  // kustomize's order of types: Namespace first, then the ranked kinds, then the rest by name.
  REQUIRE(builtin.ns.size() == 3);
  CHECK(builtin.ns[0].selector.kind == "Namespace");
  CHECK(builtin.ns[1].selector.kind == "CustomResourceDefinition");
  CHECK(builtin.ns[2].selector.kind == "APIService");
  // One entry per referenced type.
  for (std::size_t i = 1; i < builtin.name_reference.size(); ++i)
    CHECK_FALSE(builtin.name_reference[i].target == builtin.name_reference[i - 1].target);

  transformer_config more;
  more.name_reference = {{{"", "v1", "ConfigMap"}, {{{"", "", "App"}, "spec/configRef/name", false}}},
                         {{"", "", "Widget"}, {{{"", "", "App"}, "spec/widget", false}}}};
  more.name_prefix = {{{"", "", "Bucket"}, "metadata/name", false}};
  transformer_config t = builtin;
  REQUIRE(merge_config(t, more));
  CHECK(t.name_reference.size() == builtin.name_reference.size() + 1);  // a new target is added
  auto config_map = std::find_if(t.name_reference.begin(), t.name_reference.end(),
                                 [](const name_back_refs& n) { return n.target == gvk{"", "v1", "ConfigMap"}; });
  REQUIRE(config_map != t.name_reference.end());
  CHECK(config_map->referrers.back().path == "spec/configRef/name");  // a known target gains referrers
  // The Bucket spec sorts first; merged again (as a base's is, into its overlay) it hides the
  // built-in metadata/name spec, which its selector no longer tells apart.
  REQUIRE(t.name_prefix.size() == 2);
  CHECK(t.name_prefix[0].selector.kind == "Bucket");
  transformer_config up;
  REQUIRE(merge_config(up, t));
  CHECK(up.name_prefix.size() == 1);
}
