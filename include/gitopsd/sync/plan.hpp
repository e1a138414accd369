#pragma once
// From rendered manifests to what the apply stage sends: namespaces defaulted by the kind's scope,
// owner labels stamped, duplicates refused, objects ordered in apply stages.

#include "gitopsd/core/identity.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <rapidjson/document.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::sync {

// Applied in order; each stage finishes (and CRDs are Established) before the next starts.
enum class apply_stage {
  definitions = 0,  // CustomResourceDefinitions, Namespaces, ClusterRoles
  classes = 1,      // *Class kinds (StorageClass, IngressClass, PriorityClass, ...)
  workloads = 2,    // everything else
};

struct planned_object {
  rapidjson::Document object;
  std::string origin;
  object_ref ref;
  apply_stage stage;
};

// Whether the cluster serves a kind as namespaced (true), cluster-scoped (false), or not at all.
using scope_lookup = std::function<std::optional<bool>(const group_version_kind&)>;

struct plan_options {
  owner who;
  std::string default_namespace;  // for namespaced objects without one: targetNamespace, else the owner's
};

enum class plan_errc { duplicate = 1, unknown_kind };

// Kinds defined by CRDs in the same set are known without asking the cluster.
result<std::vector<planned_object>> make_plan(std::vector<render::manifest> objects, const plan_options& options,
                                              const scope_lookup& scope);

apply_stage stage_of(const group_version_kind& gvk);

// The order within a stage, as Helm installs: what pods refer to first (0: ServiceAccounts,
// Secrets, ConfigMaps, claims, RBAC, ...), then everything else (1), then the kinds that start
// pods (2), so new pods find their configuration and the controllers start last.
int order_in_stage(const group_version_kind& gvk);

}  // namespace gitopsd::sync
