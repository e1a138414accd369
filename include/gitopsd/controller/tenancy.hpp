#pragma once
// Multi-tenant lockdown: which identity a GitRepository acts as, and which references it may make.
// A tenant who may create GitRepositories in one namespace must not reach further by leaving a
// field out (no serviceAccountName) or by pointing at another namespace (dependsOn).

#include "gitopsd/controller/gitrepository.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::controller {

struct tenancy_policy {
  std::string default_service_account;  // used when spec.serviceAccountName is empty; empty: the agent's own rights
  bool no_cross_namespace_refs = false;
};

// The ServiceAccount (of the GitRepository's own namespace) it acts as; empty: the agent itself.
std::string acting_service_account(const gitrepository_spec& spec, const tenancy_policy& policy);

// The user a request impersonates to act as the account: "system:serviceaccount:<ns>:<name>".
std::string service_account_user(std::string_view namespace_, std::string_view account);

// With cross-namespace references refused: the first reference to another namespace, named for
// the user ("dependsOn other/app"); nothing when every reference stays in the object's namespace.
std::optional<std::string> cross_namespace_reference(const gitrepository& repo, const tenancy_policy& policy);

}  // namespace gitopsd::controller
