#include "gitopsd/kube/discovery.hpp"
#include "gitopsd/kube/errc.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::kube;

TEST_CASE("an APIResourceList gives plural and scope per kind, without subresources", "[discovery]") {
  auto r = parse_resource_list(R"({"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
    {"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["get","patch"]},
    {"name":"deployments/status","namespaced":true,"kind":"Deployment","verbs":["get"]},
    {"name":"controllerrevisions","namespaced":true,"kind":"ControllerRevision","verbs":[]}]})",
                               "apps", "v1");
  REQUIRE(r.has_value());
  REQUIRE(r->size() == 2);
  const resource_info* d = find_kind(*r, "Deployment");
  REQUIRE(d != nullptr);
  CHECK(d->plural == "deployments");
  CHECK(d->namespaced);
  CHECK(d->group == "apps");
  CHECK(d->verbs == std::vector<std::string>{"get", "patch"});
  CHECK(find_kind(*r, "StatefulSet") == nullptr);
  auto bad = parse_resource_list("{}", "apps", "v1");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().what() == "discovery of apps/v1: not an APIResourceList");
}
