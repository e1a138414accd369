// Replaying kyaml's OpenAPI state for one build (see openapi_state.hpp).
#include "openapi_state.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <string_view>

namespace gitopsd::render::kustomize {
namespace {

struct builtin_scope {
  std::string_view api_version, kind;
  bool namespaced;
};

// The types kyaml knows the scope of without its schema (precomputedIsNamespaceScoped in
// kyaml/openapi/openapi.go of kustomize v5.8.1): these never make it parse a schema. Its built-in
// schema's paths name exactly these types, so this table is also all it knows from that schema.
constexpr builtin_scope precomputed[] = {
    {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", false},
    {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", false},
    {"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", false},
    {"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", false},
    {"apiextensions.k8s.io/v1", "CustomResourceDefinition", false},
    {"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", false},
    {"apiregistration.k8s.io/v1", "APIService", false},
    {"apiregistration.k8s.io/v1beta1", "APIService", false},
    {"apps/v1", "ControllerRevision", true},
    {"apps/v1", "DaemonSet", true},
    {"apps/v1", "Deployment", true},
    {"apps/v1", "ReplicaSet", true},
    {"apps/v1", "StatefulSet", true},
    {"autoscaling/v1", "HorizontalPodAutoscaler", true},
    {"autoscaling/v1", "Scale", true},
    {"autoscaling/v2beta1", "HorizontalPodAutoscaler", true},
    {"autoscaling/v2beta2", "HorizontalPodAutoscaler", true},
    {"batch/v1", "CronJob", true},
    {"batch/v1", "Job", true},
    {"batch/v1beta1", "CronJob", true},
    {"certificates.k8s.io/v1", "CertificateSigningRequest", false},
    {"certificates.k8s.io/v1beta1", "CertificateSigningRequest", false},
    {"coordination.k8s.io/v1", "Lease", true},
    {"coordination.k8s.io/v1beta1", "Lease", true},
    {"discovery.k8s.io/v1", "EndpointSlice", true},
    {"discovery.k8s.io/v1beta1", "EndpointSlice", true},
    {"events.k8s.io/v1", "Event", true},
    {"events.k8s.io/v1beta1", "Event", true},
    {"extensions/v1beta1", "Ingress", true},
    {"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", false},
    {"flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration", false},
    {"networking.k8s.io/v1", "Ingress", true},
    {"networking.k8s.io/v1", "IngressClass", false},
    {"networking.k8s.io/v1", "NetworkPolicy", true},
    {"networking.k8s.io/v1beta1", "Ingress", true},
    {"networking.k8s.io/v1beta1", "IngressClass", false},
    {"node.k8s.io/v1", "RuntimeClass", false},
    {"node.k8s.io/v1beta1", "RuntimeClass", false},
    {"policy/v1", "PodDisruptionBudget", true},
    {"policy/v1beta1", "PodDisruptionBudget", true},
    {"policy/v1beta1", "PodSecurityPolicy", false},
    {"rbac.authorization.k8s.io/v1", "ClusterRole", false},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false},
    {"rbac.authorization.k8s.io/v1", "Role", true},
    {"rbac.authorization.k8s.io/v1", "RoleBinding", true},
    {"rbac.authorization.k8s.io/v1beta1", "ClusterRole", false},
    {"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", false},
    {"rbac.authorization.k8s.io/v1beta1", "Role", true},
    {"rbac.authorization.k8s.io/v1beta1", "RoleBinding", true},
    {"scheduling.k8s.io/v1", "PriorityClass", false},
    {"scheduling.k8s.io/v1beta1", "PriorityClass", false},
    {"storage.k8s.io/v1", "CSIDriver", false},
    {"storage.k8s.io/v1", "CSINode", false},
    {"storage.k8s.io/v1", "StorageClass", false},
    {"storage.k8s.io/v1", "VolumeAttachment", false},
    {"storage.k8s.io/v1beta1", "CSIDriver", false},
    {"storage.k8s.io/v1beta1", "CSINode", false},
    {"storage.k8s.io/v1beta1", "CSIStorageCapacity", true},
    {"storage.k8s.io/v1beta1", "StorageClass", false},
    {"storage.k8s.io/v1beta1", "VolumeAttachment", false},
    {"v1", "ComponentStatus", false},
    {"v1", "ConfigMap", true},
    {"v1", "Endpoints", true},
    {"v1", "Event", true},
    {"v1", "LimitRange", true},
    {"v1", "Namespace", false},
    {"v1", "Node", false},
    {"v1", "NodeProxyOptions", false},
    {"v1", "PersistentVolume", false},
    {"v1", "PersistentVolumeClaim", true},
    {"v1", "Pod", true},
    {"v1", "PodAttachOptions", true},
    {"v1", "PodExecOptions", true},
    {"v1", "PodPortForwardOptions", true},
    {"v1", "PodProxyOptions", true},
    {"v1", "PodTemplate", true},
    {"v1", "ReplicationController", true},
    {"v1", "ResourceQuota", true},
    {"v1", "Secret", true},
    {"v1", "Service", true},
    {"v1", "ServiceAccount", true},
    {"v1", "ServiceProxyOptions", true},
};

// kyaml's only built-in version (kubernetesapi.OpenAPIMustAsset), also its default.
constexpr std::string_view builtin_version = "v1.21.2";

thread_local openapi_state* current = nullptr;

}  // namespace

std::optional<bool> builtin_namespaced(std::string_view api_version, std::string_view kind) {
  for (const auto& t : precomputed)
    if (t.api_version == api_version && t.kind == kind) return t.namespaced;
  return std::nullopt;
}

namespace {

bool is_precomputed(std::string_view api_version, std::string_view kind) {
  return builtin_namespaced(api_version, kind).has_value();
}

}  // namespace

result<void> openapi_state::set(const kustomization& k, const std::optional<named_file>& schema, bool top,
                                const limits& lim) {
  if (version_set_ && !top) return {};
  const auto& version = k.openapi.version;
  if (schema) {
    if (version)
      return kustomize_error(k.file, "openapi: builtin version and custom schema provided, cannot use both");
    custom_ = openapi_schema::parse(schema->content, schema->path, lim);
    version_set_ = true;
    init_ = false;
    return {};
  }
  version_set_ = custom_.has_value();
  if (!version || version->empty()) return {};
  if (*version != builtin_version)
    return kustomize_error(k.file, fmt::format("openapi: the specified OpenAPI version \"{}\" is not built in "
                                               "(only {})", *version, builtin_version));
  version_set_ = true;
  custom_.reset();
  init_ = false;
  return {};
}

result<void> openapi_state::load() {
  if (failed_) return *failed_;
  if (init_) return {};
  init_ = true;
  if (custom_) {
    if (!*custom_) {
      failed_ = custom_->error();
      return *failed_;
    }
    custom_loaded_ = true;
    custom_last_ = true;
  } else {
    builtin_loaded_ = true;
    custom_last_ = false;
    builtin_delayed_ = false;
  }
  if (builtin_delayed_) {
    builtin_delayed_ = false;
    builtin_loaded_ = true;
    custom_last_ = false;
  }
  return {};
}

result<void> openapi_state::probe_type(std::string_view api_version, std::string_view kind) {
  if (failed_) return *failed_;
  if (init_ || is_precomputed(api_version, kind)) return {};
  if (custom_) return load();
  if (!builtin_loaded_) builtin_delayed_ = true;
  return {};
}

std::optional<bool> openapi_state::cluster_scoped(const gvk& type) {
  if (!custom_) return std::nullopt;  // the usual build: no custom schema, nothing to look up
  std::string api = type.api_version();
  if (is_precomputed(api, type.kind)) return std::nullopt;
  // kyaml parses a custom schema set since the last object was read. A broken one fails the
  // build: the error stays, and the build asks for it (status) before it returns.
  if (!load()) return std::nullopt;
  // The built-in schema's paths name only precomputed types: a type the custom paths do not name
  // is namespaced whichever schemas are loaded, as the built-in table says too.
  auto ns = (*custom_)->namespaced(api, type.kind);
  if (!ns) return std::nullopt;
  return !*ns;
}

schema_pos openapi_state::resolve(std::string_view ref) const {
  schema_pos pos;
  if (custom_loaded_ && custom_ && *custom_) pos.node = (*custom_)->definition(ref);
  // A built-in definition gitopsd knows the lists of, once the built-in schema is loaded too,
  // unless the custom schema defines it and was parsed last.
  constexpr std::string_view prefix = "#/definitions/";
  if (builtin_loaded_ && ref.starts_with(prefix) && knows_definition(ref.substr(prefix.size())) &&
      !(pos.node != nullptr && custom_last_)) {
    pos.node = nullptr;
    pos.builtin = ref.substr(prefix.size());
  }
  return pos;
}

result<std::optional<list_rule>> openapi_state::rule(const gvk& type, const std::string& api_version,
                                                     std::string_view path) {
  if (auto r = load(); !r) return r.error();
  bool builtin_type = builtin_loaded_ && is_builtin_group(type.group);
  const rapidjson::Value* mine =
      custom_loaded_ && custom_ && *custom_ ? (*custom_)->for_type(api_version, type.kind) : nullptr;
  if (mine != nullptr && (custom_last_ || !builtin_type)) {
    schema_pos root;
    root.node = mine;
    return schema_list_rule(root, path, [this](std::string_view ref) { return resolve(ref); }, (*custom_)->file(),
                            ref_budget_);
  }
  if (builtin_type) return list_rule_for(type.kind, path);
  return std::nullopt;
}

openapi_state* current_openapi() { return current; }

openapi_scope::openapi_scope(openapi_state& s) : saved_(current) { current = &s; }
openapi_scope::~openapi_scope() { current = saved_; }

}  // namespace gitopsd::render::kustomize
