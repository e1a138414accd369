// Replaying kyaml's OpenAPI state for one build (see openapi_state.hpp).
#include "openapi_state.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace gitopsd::render::kustomize {
namespace {

// The types kyaml answers IsNamespaceScoped for without its schema (precomputedIsNamespaceScoped
// in kyaml/openapi/openapi.go of kustomize v5.8.1): these never make it parse a schema.
constexpr std::array<std::pair<std::string_view, std::string_view>, 82> precomputed{{
    {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration"},
    {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration"},
    {"admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration"},
    {"admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"},
    {"apiextensions.k8s.io/v1", "CustomResourceDefinition"},
    {"apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"},
    {"apiregistration.k8s.io/v1", "APIService"},
    {"apiregistration.k8s.io/v1beta1", "APIService"},
    {"apps/v1", "ControllerRevision"},
    {"apps/v1", "DaemonSet"},
    {"apps/v1", "Deployment"},
    {"apps/v1", "ReplicaSet"},
    {"apps/v1", "StatefulSet"},
    {"autoscaling/v1", "HorizontalPodAutoscaler"},
    {"autoscaling/v1", "Scale"},
    {"autoscaling/v2beta1", "HorizontalPodAutoscaler"},
    {"autoscaling/v2beta2", "HorizontalPodAutoscaler"},
    {"batch/v1", "CronJob"},
    {"batch/v1", "Job"},
    {"batch/v1beta1", "CronJob"},
    {"certificates.k8s.io/v1", "CertificateSigningRequest"},
    {"certificates.k8s.io/v1beta1", "CertificateSigningRequest"},
    {"coordination.k8s.io/v1", "Lease"},
    {"coordination.k8s.io/v1beta1", "Lease"},
    {"discovery.k8s.io/v1", "EndpointSlice"},
    {"discovery.k8s.io/v1beta1", "EndpointSlice"},
    {"events.k8s.io/v1", "Event"},
    {"events.k8s.io/v1beta1", "Event"},
    {"extensions/v1beta1", "Ingress"},
    {"flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"},
    {"flowcontrol.apiserver.k8s.io/v1beta1", "PriorityLevelConfiguration"},
    {"networking.k8s.io/v1", "Ingress"},
    {"networking.k8s.io/v1", "IngressClass"},
    {"networking.k8s.io/v1", "NetworkPolicy"},
    {"networking.k8s.io/v1beta1", "Ingress"},
    {"networking.k8s.io/v1beta1", "IngressClass"},
    {"node.k8s.io/v1", "RuntimeClass"},
    {"node.k8s.io/v1beta1", "RuntimeClass"},
    {"policy/v1", "PodDisruptionBudget"},
    {"policy/v1beta1", "PodDisruptionBudget"},
    {"policy/v1beta1", "PodSecurityPolicy"},
    {"rbac.authorization.k8s.io/v1", "ClusterRole"},
    {"rbac.authorization.k8s.io/v1", "ClusterRoleBinding"},
    {"rbac.authorization.k8s.io/v1", "Role"},
    {"rbac.authorization.k8s.io/v1", "RoleBinding"},
    {"rbac.authorization.k8s.io/v1beta1", "ClusterRole"},
    {"rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"},
    {"rbac.authorization.k8s.io/v1beta1", "Role"},
    {"rbac.authorization.k8s.io/v1beta1", "RoleBinding"},
    {"scheduling.k8s.io/v1", "PriorityClass"},
    {"scheduling.k8s.io/v1beta1", "PriorityClass"},
    {"storage.k8s.io/v1", "CSIDriver"},
    {"storage.k8s.io/v1", "CSINode"},
    {"storage.k8s.io/v1", "StorageClass"},
    {"storage.k8s.io/v1", "VolumeAttachment"},
    {"storage.k8s.io/v1beta1", "CSIDriver"},
    {"storage.k8s.io/v1beta1", "CSINode"},
    {"storage.k8s.io/v1beta1", "CSIStorageCapacity"},
    {"storage.k8s.io/v1beta1", "StorageClass"},
    {"storage.k8s.io/v1beta1", "VolumeAttachment"},
    {"v1", "ComponentStatus"},
    {"v1", "ConfigMap"},
    {"v1", "Endpoints"},
    {"v1", "Event"},
    {"v1", "LimitRange"},
    {"v1", "Namespace"},
    {"v1", "Node"},
    {"v1", "NodeProxyOptions"},
    {"v1", "PersistentVolume"},
    {"v1", "PersistentVolumeClaim"},
    {"v1", "Pod"},
    {"v1", "PodAttachOptions"},
    {"v1", "PodExecOptions"},
    {"v1", "PodPortForwardOptions"},
    {"v1", "PodProxyOptions"},
    {"v1", "PodTemplate"},
    {"v1", "ReplicationController"},
    {"v1", "ResourceQuota"},
    {"v1", "Secret"},
    {"v1", "Service"},
    {"v1", "ServiceAccount"},
    {"v1", "ServiceProxyOptions"},
}};

bool is_precomputed(const std::string& api_version, const std::string& kind) {
  for (const auto& [a, k] : precomputed)
    if (a == api_version && k == kind) return true;
  return false;
}

// kyaml's only built-in version (kubernetesapi.OpenAPIMustAsset), also its default.
constexpr std::string_view builtin_version = "v1.21.2";

// Built-in definitions a custom schema's `$ref` may reach once the built-in schema is loaded too,
// mapped to where list_rule_for knows their lists.
struct builtin_def {
  std::string_view name, kind, prefix;
};
constexpr std::array builtin_defs{
    builtin_def{"io.k8s.api.core.v1.PodTemplateSpec", "PodTemplate", "template"},
    builtin_def{"io.k8s.api.core.v1.PodSpec", "Pod", "spec"},
    builtin_def{"io.k8s.api.core.v1.Container", "Pod", "spec/containers[]"},
    builtin_def{"io.k8s.api.core.v1.EphemeralContainer", "Pod", "spec/ephemeralContainers[]"},
    builtin_def{"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ConfigMap", "metadata"},
};

thread_local openapi_state* current = nullptr;

}  // namespace

result<void> openapi_state::set(const kustomization& k, const std::optional<std::string>& schema_text, bool top,
                                const limits& lim) {
  if (version_set_ && !top) return {};
  const std::string* version = nullptr;
  for (const auto& [key, v] : k.openapi)
    if (key == "version") version = &v;
  if (schema_text) {
    if (version != nullptr)
      return kustomize_error(k.file, "openapi: builtin version and custom schema provided, cannot use both");
    std::string file;
    for (const auto& [key, v] : k.openapi)
      if (key == "path") file = v;
    custom_ = openapi_schema::parse(*schema_text, join_path(k.dir, file), lim);
    version_set_ = true;
    init_ = false;
    return {};
  }
  version_set_ = custom_.has_value();
  if (version == nullptr || version->empty()) return {};
  if (*version != builtin_version)
    return kustomize_error(k.file, fmt::format("openapi: the specified OpenAPI version \"{}\" is not built in "
                                               "(only {})", *version, builtin_version));
  version_set_ = true;
  custom_.reset();
  init_ = false;
  return {};
}

result<void> openapi_state::init() {
  if (init_) return {};
  init_ = true;
  if (custom_) {
    if (!*custom_) return custom_->error();
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

result<void> openapi_state::probe_type(const std::string& api_version, const std::string& kind) {
  if (is_precomputed(api_version, kind) || init_) return {};
  if (custom_) return init();
  if (!builtin_loaded_) builtin_delayed_ = true;
  return {};
}

std::optional<bool> openapi_state::cluster_scoped(const gvk& type) {
  if (!custom_) return std::nullopt;  // the usual build: no custom schema, nothing to look up
  std::string api = type.group.empty() ? type.version : type.group + "/" + type.version;
  if (is_precomputed(api, type.kind)) return std::nullopt;
  // kyaml parses a custom schema set since the last object was read; a broken one has no answer
  // here (kyaml panics), and every object read before already surfaced its error.
  if (custom_ && !init_ && !init()) return std::nullopt;
  if (!custom_loaded_ || !custom_ || !*custom_) return std::nullopt;
  if (auto ns = (*custom_)->namespaced(api, type.kind)) return !*ns;
  if (builtin_loaded_) return std::nullopt;
  return false;  // neither schema knows the type: kyaml takes it for namespaced
}

schema_pos openapi_state::resolve(std::string_view ref) const {
  schema_pos pos;
  for (const auto& d : builtin_defs) {
    if (!builtin_loaded_ || ref != fmt::format("#/definitions/{}", d.name)) continue;
    const rapidjson::Value* mine = custom_loaded_ && *custom_ ? (*custom_)->definition(ref) : nullptr;
    if (mine != nullptr && custom_last_) break;
    pos.builtin = true;
    pos.builtin_kind = d.kind;
    pos.builtin_prefix = d.prefix;
    return pos;
  }
  if (custom_loaded_ && custom_ && *custom_) pos.node = (*custom_)->definition(ref);
  return pos;
}

result<std::optional<list_rule>> openapi_state::rule(const gvk& type, const std::string& api_version,
                                                     std::string_view path) {
  if (auto r = init(); !r) return r.error();
  bool builtin_type = builtin_loaded_ && is_builtin_group(type.group);
  const rapidjson::Value* mine =
      custom_loaded_ && custom_ && *custom_ ? (*custom_)->for_type(api_version, type.kind) : nullptr;
  if (mine != nullptr && (custom_last_ || !builtin_type)) {
    schema_pos root;
    root.node = mine;
    return schema_list_rule(root, path, [this](std::string_view ref) { return resolve(ref); }, (*custom_)->file());
  }
  if (builtin_type) return list_rule_for(type.kind, path);
  return std::nullopt;
}

openapi_state* current_openapi() { return current; }

openapi_scope::openapi_scope(openapi_state& s) : saved_(current) { current = &s; }
openapi_scope::~openapi_scope() { current = saved_; }

}  // namespace gitopsd::render::kustomize
