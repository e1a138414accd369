#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/identity.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

namespace {
result<object_ref> ref_of(std::string_view text) { return object_ref_of(json::parse(text).value()); }
}  // namespace

TEST_CASE("apiVersion splits into group and version", "[identity]") {
  auto apps = group_version_kind::from("apps/v1", "Deployment").value();
  CHECK(apps.group == "apps");
  CHECK(apps.version == "v1");
  CHECK(apps.api_version() == "apps/v1");
  auto core = group_version_kind::from("v1", "ConfigMap").value();
  CHECK(core.group.empty());
  CHECK(core.api_version() == "v1");
}

TEST_CASE("malformed apiVersion and kind are refused", "[identity]") {
  CHECK(group_version_kind::from("", "X").error().code == core::errc::invalid_identity);
  CHECK(group_version_kind::from("v1", "").error().code == core::errc::invalid_identity);
  auto bad = group_version_kind::from("a/b/c", "X");
  REQUIRE(bad.has_error());
  CHECK_THAT(bad.error().what(), Catch::Contains("a/b/c"));
  CHECK(group_version_kind::from("/v1", "X").has_error());
  CHECK(group_version_kind::from("apps/", "X").has_error());
}

TEST_CASE("object identity from a manifest", "[identity]") {
  auto ref = ref_of(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"}})");
  REQUIRE(ref.has_value());
  CHECK(ref->inventory_id() == "shop_web_apps_Deployment");
  CHECK(ref->display() == "Deployment/shop/web");
  auto ns = ref_of(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop"}})").value();
  CHECK(ns.inventory_id() == "_shop__Namespace");
  CHECK(ns.display() == "Namespace/shop");
}

TEST_CASE("manifests missing identity fields name the field", "[identity]") {
  CHECK_THAT(ref_of(R"({"kind":"X","metadata":{"name":"a"}})").error().what(), Catch::Contains("apiVersion"));
  CHECK_THAT(ref_of(R"({"apiVersion":"v1","metadata":{"name":"a"}})").error().what(), Catch::Contains("kind"));
  auto no_name = ref_of(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})");
  CHECK(no_name.error().code == core::errc::missing_field);
  CHECK_THAT(no_name.error().what(), Catch::Contains("ConfigMap") && Catch::Contains("metadata.name"));
  CHECK(ref_of(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":""}})").has_error());
  CHECK(ref_of(R"([1,2])").error().code == core::errc::invalid_identity);
}

TEST_CASE("inventory ids round-trip", "[identity]") {
  for (const char* id : {"shop_web_apps_Deployment", "_shop__Namespace", "default_cm__ConfigMap"}) {
    auto ref = parse_inventory_id(id);
    REQUIRE(ref.has_value());
    CHECK(ref->inventory_id() == id);
  }
  for (const char* bad : {"", "a_b_c", "___", "ns__apps_Deployment", "ns_name_group_"})
    CHECK(parse_inventory_id(bad).error().code == core::errc::invalid_identity);
}

TEST_CASE("inventory ids of names holding '_' (RBAC objects) parse", "[identity]") {
  object_ref role{{"rbac.authorization.k8s.io", "v1", "ClusterRole"}, "", "team_admin"};
  auto parsed = parse_inventory_id(role.inventory_id());
  REQUIRE(parsed.has_value());
  CHECK(parsed->name == "team_admin");
  CHECK(parsed->namespace_.empty());
  CHECK(parsed->gvk.group == "rbac.authorization.k8s.io");
  CHECK(parsed->gvk.kind == "ClusterRole");
  object_ref odd{{"", "v1", "ConfigMap"}, "ns", "_a__b_"};
  parsed = parse_inventory_id(odd.inventory_id());
  REQUIRE(parsed.has_value());
  CHECK(parsed->name == "_a__b_");
  CHECK(parsed->namespace_ == "ns");
  CHECK(parsed->gvk.group.empty());
  CHECK(parsed->inventory_id() == odd.inventory_id());
}

TEST_CASE("tracking id names owner and object", "[identity]") {
  object_ref ref{{"apps", "v1", "Deployment"}, "shop", "web"};
  CHECK(tracking_id("flux", "app", ref) == "flux/app:apps/Deployment:shop/web");
  object_ref ns{{"", "v1", "Namespace"}, "", "shop"};
  CHECK(tracking_id("flux", "app", ns) == "flux/app:/Namespace:/shop");
}
