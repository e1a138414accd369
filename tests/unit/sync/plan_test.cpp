#include "gitopsd/core/json.hpp"
#include "gitopsd/sync/inventory.hpp"
#include "gitopsd/sync/plan.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::sync;

namespace {
render::manifest obj(std::string_view text, std::string origin) { return {json::parse(text).value(), std::move(origin)}; }

// The cluster serves core and apps kinds; ConfigMap/Deployment namespaced, Namespace/ClusterRole not.
std::optional<bool> builtin_scope(const group_version_kind& gvk) {
  if (gvk.kind == "Namespace" || gvk.kind == "ClusterRole" || gvk.kind == "CustomResourceDefinition" ||
      gvk.kind == "StorageClass")
    return false;
  if (gvk.kind == "ConfigMap" || gvk.kind == "Deployment" || gvk.kind == "Service") return true;
  return std::nullopt;
}

plan_options opts() { return {{"flux-system", "app"}, "apps"}; }

std::vector<render::manifest> sample() {
  std::vector<render::manifest> v;
  v.push_back(obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})", "web.yaml#1"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","namespace":"other"}})", "cfg.yaml#1"));
  v.push_back(obj(R"({"apiVersion":"storage.k8s.io/v1","kind":"StorageClass","metadata":{"name":"fast"}})", "sc.yaml#1"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"apps","namespace":"junk"}})", "ns.yaml#1"));
  return v;
}
}  // namespace

TEST_CASE("plan orders stages and defaults namespaces by scope", "[plan]") {
  auto plan = make_plan(sample(), opts(), builtin_scope);
  REQUIRE(plan.has_value());
  REQUIRE(plan->size() == 4);
  CHECK((*plan)[0].ref.display() == "Namespace/apps");
  CHECK_FALSE(json::get_string((*plan)[0].object, "metadata", "namespace"));  // cluster-scoped: dropped
  CHECK((*plan)[1].ref.display() == "StorageClass/fast");
  CHECK((*plan)[2].ref.display() == "ConfigMap/other/cfg");  // kept; before the Deployment that may use it
  CHECK((*plan)[3].ref.display() == "Deployment/apps/web");  // defaulted
  CHECK(json::get_string((*plan)[3].object, "metadata", "namespace") == "apps");
}

TEST_CASE("within a stage, configuration goes first and what starts pods last, Git order otherwise", "[plan]") {
  std::vector<render::manifest> v;
  v.push_back(obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})", "a.yaml#1"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}})", "a.yaml#2"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}})", "a.yaml#3"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"api"}})", "a.yaml#4"));
  v.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})", "a.yaml#5"));
  auto plan = make_plan(std::move(v), opts(), builtin_scope);
  REQUIRE(plan.has_value());
  std::vector<std::string> order;
  for (const auto& p : *plan) order.push_back(p.ref.display());
  CHECK(order == std::vector<std::string>{"ConfigMap/apps/b", "ConfigMap/apps/a", "Service/apps/web",
                                          "Service/apps/api", "Deployment/apps/web"});
  CHECK(order_in_stage({"", "v1", "Secret"}) < order_in_stage({"example.com", "v1", "Widget"}));
  CHECK(order_in_stage({"example.com", "v1", "Widget"}) < order_in_stage({"batch", "v1", "Job"}));
  CHECK(order_in_stage({"example.com", "v1", "Deployment"}) == 1);  // only the apps group's Deployment starts pods
}

TEST_CASE("plan stamps owner labels and the tracking id", "[plan]") {
  auto plan = make_plan(sample(), opts(), builtin_scope).value();
  const auto& web = plan[3];
  CHECK(json::get_string(web.object, "metadata", "labels", "gitopsd.io/name") == "app");
  CHECK(json::get_string(web.object, "metadata", "labels", "gitopsd.io/namespace") == "flux-system");
  CHECK(json::get_string(web.object, "metadata", "annotations", "gitopsd.io/tracking-id") ==
        "flux-system/app:apps/Deployment:apps/web");
  CHECK(json::get_string(web.object, "metadata", "annotations", "gitopsd.io/source") == "web.yaml#1");
  CHECK(is_owned_by(web.object, {"flux-system", "app"}, web.ref));
  CHECK_FALSE(is_owned_by(web.object, {"flux-system", "other"}, web.ref));
  // A copy with the same labels under another name is not ours.
  auto copy = web.ref;
  copy.name = "web-copy";
  CHECK_FALSE(is_owned_by(web.object, {"flux-system", "app"}, copy));
}

TEST_CASE("kinds defined by CRDs in the same set are planned without the cluster", "[plan]") {
  std::vector<render::manifest> v;
  v.push_back(obj(R"({"apiVersion":"db.io/v1","kind":"Db","metadata":{"name":"main"}})", "db.yaml#1"));
  v.push_back(obj(R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
    "metadata":{"name":"dbs.db.io"},"spec":{"group":"db.io","scope":"Namespaced","names":{"kind":"Db"}}})", "crd.yaml#1"));
  auto plan = make_plan(std::move(v), opts(), builtin_scope).value();
  CHECK(plan[0].ref.gvk.kind == "CustomResourceDefinition");
  CHECK(plan[1].ref.display() == "Db/apps/main");
}

TEST_CASE("plan refuses duplicates, unknown kinds and nameless objects, naming the files", "[plan]") {
  std::vector<render::manifest> dup;
  dup.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})", "one.yaml#1"));
  dup.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"apps"}})", "two.yaml#3"));
  auto e = make_plan(std::move(dup), opts(), builtin_scope);
  REQUIRE(e.has_error());
  CHECK(e.error().what() == "ConfigMap/apps/a is declared twice: in one.yaml#1 and in two.yaml#3");

  std::vector<render::manifest> unknown;
  unknown.push_back(obj(R"({"apiVersion":"db.io/v1","kind":"Db","metadata":{"name":"x"}})", "db.yaml#2"));
  auto u = make_plan(std::move(unknown), opts(), builtin_scope);
  REQUIRE(u.has_error());
  CHECK_THAT(u.error().what(), Catch::StartsWith("db.yaml#2: Db x is not served") && Catch::Contains("db.io/v1"));

  std::vector<render::manifest> nameless;
  nameless.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{}})", "x.yaml#4"));
  CHECK_THAT(make_plan(std::move(nameless), opts(), builtin_scope).error().what(), Catch::StartsWith("x.yaml#4: "));
}

TEST_CASE("inventory is sorted and round-trips through status", "[inventory]") {
  auto plan = make_plan(sample(), opts(), builtin_scope).value();
  auto inv = inventory_of(plan);
  REQUIRE(inv.size() == 4);
  CHECK(inv[0].id == "_apps__Namespace");
  rapidjson::Document status(rapidjson::kObjectType);
  status.AddMember("inventory", inventory_json(inv, status.GetAllocator()), status.GetAllocator());
  CHECK(read_inventory(status).value() == inv);
}

TEST_CASE("malformed inventories are errors", "[inventory]") {
  CHECK(read_inventory(json::parse(R"({})").value()).value().empty());
  CHECK(read_inventory(json::parse(R"({"inventory":{"entries":{}}})").value()).has_error());
  CHECK(read_inventory(json::parse(R"({"inventory":{"entries":[{"id":"a_b_c_d"}]}})").value()).has_error());
  CHECK(read_inventory(json::parse(R"({"inventory":{"entries":[{"id":"bad","v":"v1"}]}})").value()).has_error());
}

TEST_CASE("stale objects are deleted workloads first, namespaces last", "[inventory]") {
  std::vector<inventory_entry> previous{{"_apps__Namespace", "v1"},
                                        {"apps_web_apps_Deployment", "v1"},
                                        {"apps_cfg__ConfigMap", "v1"},
                                        {"_dbs.db.io_apiextensions.k8s.io_CustomResourceDefinition", "v1"}};
  std::vector<inventory_entry> next{{"apps_cfg__ConfigMap", "v1"}};
  auto stale = stale_objects(previous, next);
  REQUIRE(stale.size() == 3);
  CHECK(stale[0].display() == "Deployment/apps/web");
  CHECK(stale[0].gvk.api_version() == "apps/v1");
  CHECK(stale[1].gvk.kind == "Namespace");
  CHECK(stale[2].gvk.kind == "CustomResourceDefinition");
  CHECK(stale_objects(next, next).empty());
}

TEST_CASE("disabled annotations", "[ownership]") {
  auto o = json::parse(R"({"metadata":{"annotations":{"gitopsd.io/prune":"disabled","gitopsd.io/reconcile":"on"}}})").value();
  CHECK(is_disabled(o, prune_annotation));
  CHECK_FALSE(is_disabled(o, reconcile_annotation));
}

TEST_CASE("the source annotation is cut when a path in Git is very long", "[plan]") {
  std::vector<render::manifest> v;
  v.push_back(obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})", std::string(5000, 'd') + "/c.yaml#1"));
  auto plan = make_plan(std::move(v), opts(), builtin_scope).value();
  auto source = json::get_string(plan[0].object, "metadata", "annotations", "gitopsd.io/source");
  REQUIRE(source);
  CHECK(source->size() == 515);
  CHECK(source->ends_with("dd..."));
}
