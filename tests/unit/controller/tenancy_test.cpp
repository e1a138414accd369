#include "gitopsd/controller/tenancy.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::controller;

namespace {
gitrepository repo_in(const std::string& ns) {
  gitrepository r;
  r.namespace_ = ns;
  r.name = "app";
  return r;
}
}  // namespace

TEST_CASE("a GitRepository's own serviceAccountName wins over the default", "[tenancy]") {
  gitrepository_spec spec;
  spec.service_account = "deployer";
  CHECK(acting_service_account(spec, {"tenant", false}) == "deployer");
  CHECK(acting_service_account(spec, {}) == "deployer");
}

TEST_CASE("leaving serviceAccountName out acts as the default account, not as the agent", "[tenancy]") {
  gitrepository_spec spec;
  CHECK(acting_service_account(spec, {"tenant", false}) == "tenant");
  CHECK(acting_service_account(spec, {}).empty());  // no default configured: the agent's own rights
}

TEST_CASE("dependsOn another namespace is refused only when the policy says so", "[tenancy]") {
  auto r = repo_in("team-a");
  r.spec.depends_on = {{"team-a", "base"}, {"team-b", "db"}};
  CHECK_FALSE(cross_namespace_reference(r, {}).has_value());
  auto refused = cross_namespace_reference(r, {"", true});
  REQUIRE(refused.has_value());
  CHECK(refused->find("dependsOn team-b/db") != std::string::npos);
}

TEST_CASE("references within the object's own namespace pass the lockdown", "[tenancy]") {
  auto r = repo_in("team-a");
  r.spec.depends_on = {{"team-a", "base"}};
  CHECK_FALSE(cross_namespace_reference(r, {"", true}).has_value());
  r.spec.depends_on.clear();
  CHECK_FALSE(cross_namespace_reference(r, {"", true}).has_value());
}

TEST_CASE("the impersonated user of a ServiceAccount", "[tenancy]") {
  CHECK(service_account_user("team-a", "deployer") == "system:serviceaccount:team-a:deployer");
}
