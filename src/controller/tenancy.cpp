#include "gitopsd/controller/tenancy.hpp"

#include <fmt/format.h>

namespace gitopsd::controller {

std::string acting_service_account(const gitrepository_spec& spec, const tenancy_policy& policy) {
  return spec.service_account.empty() ? policy.default_service_account : spec.service_account;
}

std::string service_account_user(std::string_view namespace_, std::string_view account) {
  return fmt::format("system:serviceaccount:{}:{}", namespace_, account);
}

// Every other reference (secretRef, webhook.secretRef, postBuild.substituteFrom) names an object
// of the GitRepository's own namespace by construction: only dependsOn carries a namespace.
std::optional<std::string> cross_namespace_reference(const gitrepository& repo, const tenancy_policy& policy) {
  if (!policy.no_cross_namespace_refs) return std::nullopt;
  for (const auto& dep : repo.spec.depends_on)
    if (dep.namespace_ != repo.namespace_)
      return fmt::format("dependsOn {}/{} refers to another namespace, and cross-namespace references are refused",
                         dep.namespace_, dep.name);
  return std::nullopt;
}

}  // namespace gitopsd::controller
