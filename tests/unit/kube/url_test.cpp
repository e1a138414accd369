#include "gitopsd/kube/url.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::kube;

TEST_CASE("path segments and query values are percent-encoded", "[url]") {
  CHECK(escape("web-1.a_b~") == "web-1.a_b~");
  CHECK(escape("a/b c?d#e%") == "a%2Fb%20c%3Fd%23e%25");
  CHECK(escape("app=web,tier!=db") == "app%3Dweb%2Ctier%21%3Ddb");
  CHECK(escape("\xC3\xA9") == "%C3%A9");
}

TEST_CASE("resource paths for core and named groups, scopes and subresources", "[url]") {
  CHECK(build_path({"", "v1", "configmaps", "ns", "x", ""}) == "/api/v1/namespaces/ns/configmaps/x");
  CHECK(build_path({"apps", "v1", "deployments", "", "", ""}) == "/apis/apps/v1/deployments");
  CHECK(build_path({"gitopsd.io", "v1alpha1", "gitrepositories", "flux system", "a/b", "status"}) ==
        "/apis/gitopsd.io/v1alpha1/namespaces/flux%20system/gitrepositories/a%2Fb/status");
  CHECK(build_path({"", "v1", "namespaces", "", "prod", ""}) == "/api/v1/namespaces/prod");
  CHECK(group_version_path("", "v1") == "/api/v1");
  CHECK(group_version_path("apps", "v1") == "/apis/apps/v1");
}

TEST_CASE("query strings", "[url]") {
  CHECK(query().str().empty());
  query q;
  q.add("labelSelector", "a=b,c in (x y)").add_if(false, "dryRun", "All").add_if(true, "limit", "500");
  CHECK(q.str() == "?labelSelector=a%3Db%2Cc%20in%20%28x%20y%29&limit=500");
}
