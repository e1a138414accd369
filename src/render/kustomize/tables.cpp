// The built-in field specs of kustomize v5 (its konfig/builtinpluginconsts), as data.
#include "fieldspec.hpp"
#include "openapi_state.hpp"

#include <set>

namespace gitopsd::render::kustomize {
namespace {

field_spec fs(std::string group, std::string version, std::string kind, std::string path, bool create) {
  return {{std::move(group), std::move(version), std::move(kind)}, std::move(path), create};
}

const char* const affinity_paths[] = {
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
};

std::vector<field_spec> make_metadata_labels() {
  return {
      fs("", "", "", "metadata/labels", true),
      fs("", "v1", "ReplicationController", "spec/template/metadata/labels", true),
      fs("", "", "Deployment", "spec/template/metadata/labels", true),
      fs("", "", "ReplicaSet", "spec/template/metadata/labels", true),
      fs("", "", "DaemonSet", "spec/template/metadata/labels", true),
      fs("apps", "", "StatefulSet", "spec/template/metadata/labels", true),
      fs("batch", "", "Job", "spec/template/metadata/labels", true),
      fs("batch", "", "CronJob", "spec/jobTemplate/metadata/labels", true),
      fs("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/labels", true),
  };
}

std::vector<field_spec> make_common_labels() {
  std::vector<field_spec> v = {
      fs("", "v1", "Service", "spec/selector", true),
      fs("", "v1", "ReplicationController", "spec/selector", true),
      fs("", "", "Deployment", "spec/selector/matchLabels", true),
  };
  for (const char* p : affinity_paths) v.push_back(fs("apps", "", "Deployment", p, false));
  v.push_back(fs("", "", "ReplicaSet", "spec/selector/matchLabels", true));
  v.push_back(fs("", "", "DaemonSet", "spec/selector/matchLabels", true));
  v.push_back(fs("apps", "", "StatefulSet", "spec/selector/matchLabels", true));
  for (const char* p : affinity_paths) v.push_back(fs("apps", "", "StatefulSet", p, false));
  v.push_back(fs("batch", "", "Job", "spec/selector/matchLabels", false));
  v.push_back(fs("batch", "", "CronJob", "spec/jobTemplate/spec/selector/matchLabels", false));
  v.push_back(fs("policy", "", "PodDisruptionBudget", "spec/selector/matchLabels", false));
  v.push_back(fs("networking.k8s.io", "", "NetworkPolicy", "spec/podSelector/matchLabels", false));
  v.push_back(fs("networking.k8s.io", "", "NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false));
  v.push_back(fs("networking.k8s.io", "", "NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false));
  for (auto& m : make_metadata_labels()) v.push_back(m);
  v.push_back(fs("apps", "", "StatefulSet", "spec/volumeClaimTemplates[]/metadata/labels", true));
  return v;
}

}  // namespace

const std::vector<field_spec>& metadata_label_specs() {
  static const auto v = make_metadata_labels();
  return v;
}

const std::vector<field_spec>& common_label_specs() {
  static const auto v = make_common_labels();
  return v;
}

const std::vector<field_spec>& common_annotation_specs() {
  static const std::vector<field_spec> v = {
      fs("", "", "", "metadata/annotations", true),
      fs("", "v1", "ReplicationController", "spec/template/metadata/annotations", true),
      fs("", "", "Deployment", "spec/template/metadata/annotations", true),
      fs("", "", "ReplicaSet", "spec/template/metadata/annotations", true),
      fs("", "", "DaemonSet", "spec/template/metadata/annotations", true),
      fs("", "", "StatefulSet", "spec/template/metadata/annotations", true),
      fs("batch", "", "Job", "spec/template/metadata/annotations", true),
      fs("batch", "", "CronJob", "spec/jobTemplate/metadata/annotations", true),
      fs("batch", "", "CronJob", "spec/jobTemplate/spec/template/metadata/annotations", true),
  };
  return v;
}

const std::vector<field_spec>& image_specs() {
  static const std::vector<field_spec> v = {
      fs("", "", "", "spec/containers[]/image", true),
      fs("", "", "", "spec/initContainers[]/image", true),
      fs("", "", "", "spec/volumes[]/image/reference", true),
      fs("", "", "", "spec/template/spec/containers[]/image", true),
      fs("", "", "", "spec/template/spec/initContainers[]/image", true),
      fs("", "", "", "spec/template/spec/volumes[]/image/reference", true),
  };
  return v;
}

const std::vector<field_spec>& replica_specs() {
  static const std::vector<field_spec> v = {
      fs("", "", "Deployment", "spec/replicas", true),
      fs("", "", "ReplicationController", "spec/replicas", true),
      fs("", "", "ReplicaSet", "spec/replicas", true),
      fs("", "", "StatefulSet", "spec/replicas", true),
  };
  return v;
}

const std::vector<field_spec>& var_reference_specs() {
  static const auto v = [] {
    std::vector<field_spec> out = {fs("", "", "", "metadata/labels", false), fs("", "", "", "metadata/annotations", false)};
    // The containers of every pod template, by where the kind keeps its pod spec.
    const std::pair<const char*, const char*> pods[] = {
        {"Pod", "spec/"}, {"Deployment", "spec/template/spec/"}, {"DaemonSet", "spec/template/spec/"},
        {"ReplicaSet", "spec/template/spec/"}, {"StatefulSet", "spec/template/spec/"}, {"Job", "spec/template/spec/"},
        {"CronJob", "spec/jobTemplate/spec/template/spec/"}};
    for (const auto& [kind, pod] : pods)
      for (const char* list : {"containers", "initContainers"})
        for (const char* field : {"args", "command", "env/value", "volumeMounts/mountPath"})
          out.push_back(fs("", "", kind, std::string(pod) + list + "/" + field, false));
    const std::pair<const char*, const char*> more[] = {
        {"Pod", "spec/volumes/nfs/server"}, {"Deployment", "spec/template/spec/volumes/nfs/server"},
        {"DaemonSet", "spec/template/spec/volumes/nfs/server"}, {"ReplicaSet", "spec/template/spec/volumes/nfs/server"},
        {"Job", "spec/template/spec/volumes/nfs/server"}, {"StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server"},
        {"CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server"}, {"PersistentVolume", "spec/nfs/server"},
        {"Deployment", "spec/template/metadata/annotations"}, {"Ingress", "spec/rules/host"},
        {"Ingress", "spec/tls/hosts"}, {"Ingress", "spec/tls/secretName"}, {"Service", "spec/ports/port"},
        {"Service", "spec/ports/targetPort"}};
    for (const auto& [kind, path] : more) out.push_back(fs("", "", kind, path, false));
    return out;
  }();
  return v;
}

// The types kustomize knows to be cluster-scoped: those of its built-in OpenAPI data (Kubernetes
// 1.21), by exact apiVersion and kind. Newer cluster-scoped kinds (ValidatingAdmissionPolicy,
// flowcontrol v1 FlowSchema, ...) are unknown to it, so it treats them as namespaced and gives
// them the kustomization's namespace; the apply drops a namespace the cluster's discovery says a
// kind does not have, as kubectl does.
bool is_cluster_scoped(const gvk& g) {
  if (auto* schema = current_openapi())
    if (auto custom = schema->cluster_scoped(g)) return *custom;
  auto namespaced = builtin_namespaced(g.api_version(), g.kind);
  return namespaced && !*namespaced;
}

const std::vector<name_reference>& name_references() {
  static const std::vector<name_reference> v = {
    {{"", "", "Deployment"}, {"", "", "HorizontalPodAutoscaler"}, R"(spec/scaleTargetRef/name)"},
    {{"", "", "ReplicationController"}, {"", "", "HorizontalPodAutoscaler"}, R"(spec/scaleTargetRef/name)"},
    {{"", "", "ReplicaSet"}, {"", "", "HorizontalPodAutoscaler"}, R"(spec/scaleTargetRef/name)"},
    {{"", "", "StatefulSet"}, {"", "", "HorizontalPodAutoscaler"}, R"(spec/scaleTargetRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "v1", "Pod"}, R"(spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "PodTemplate"}, R"(template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Deployment"}, R"(spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "DaemonSet"}, R"(spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "StatefulSet"}, R"(spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Job"}, R"(spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/volumes/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/containers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/configMapKeyRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/containers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/initContainers/envFrom/configMapRef/name)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Node"}, R"(spec/configSource/configMap)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Role"}, R"(rules/resourceNames)"},
    {{"", "v1", "ConfigMap"}, {"", "", "ClusterRole"}, R"(rules/resourceNames)"},
    {{"", "v1", "ConfigMap"}, {"", "", "Ingress"}, R"(metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "v1", "Pod"}, R"(spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "PodTemplate"}, R"(template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "Deployment"}, R"(spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "ReplicaSet"}, R"(spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "DaemonSet"}, R"(spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "StatefulSet"}, R"(spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "Job"}, R"(spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/volumes/secret/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/volumes/projected/sources/secret/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/initContainers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/containers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/initContainers/envFrom/secretRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "Ingress"}, R"(spec/tls/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "Ingress"}, R"(metadata/annotations/ingress.kubernetes.io\/auth-secret)"},
    {{"", "v1", "Secret"}, {"", "", "Ingress"}, R"(metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret)"},
    {{"", "v1", "Secret"}, {"", "", "Ingress"}, R"(metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret)"},
    {{"", "v1", "Secret"}, {"", "", "Ingress"}, R"(spec/tls/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "ServiceAccount"}, R"(imagePullSecrets/name)"},
    {{"", "v1", "Secret"}, {"", "", "StorageClass"}, R"(parameters/secretName)"},
    {{"", "v1", "Secret"}, {"", "", "StorageClass"}, R"(parameters/adminSecretName)"},
    {{"", "v1", "Secret"}, {"", "", "StorageClass"}, R"(parameters/userSecretName)"},
    {{"", "v1", "Secret"}, {"", "", "StorageClass"}, R"(parameters/secretRef)"},
    {{"", "v1", "Secret"}, {"", "", "Role"}, R"(rules/resourceNames)"},
    {{"", "v1", "Secret"}, {"", "", "ClusterRole"}, R"(rules/resourceNames)"},
    {{"", "v1", "Secret"}, {"serving.knative.dev", "v1", "Service"}, R"(spec/template/spec/containers/env/valueFrom/secretKeyRef/name)"},
    {{"", "v1", "Secret"}, {"", "", "PersistentVolume"}, R"(spec/azureFile/secretName)"},
    {{"", "v1", "Service"}, {"apps", "", "StatefulSet"}, R"(spec/serviceName)"},
    {{"", "v1", "Service"}, {"", "", "Ingress"}, R"(spec/rules/http/paths/backend/serviceName)"},
    {{"", "v1", "Service"}, {"", "", "Ingress"}, R"(spec/backend/serviceName)"},
    {{"", "v1", "Service"}, {"", "", "Ingress"}, R"(spec/rules/http/paths/backend/service/name)"},
    {{"", "v1", "Service"}, {"", "", "Ingress"}, R"(spec/defaultBackend/service/name)"},
    {{"", "v1", "Service"}, {"apiregistration.k8s.io", "", "APIService"}, R"(spec/service/name)"},
    {{"", "v1", "Service"}, {"admissionregistration.k8s.io", "", "ValidatingWebhookConfiguration"}, R"(webhooks/clientConfig/service)"},
    {{"", "v1", "Service"}, {"admissionregistration.k8s.io", "", "MutatingWebhookConfiguration"}, R"(webhooks/clientConfig/service)"},
    {{"rbac.authorization.k8s.io", "", "Role"}, {"rbac.authorization.k8s.io", "", "RoleBinding"}, R"(roleRef/name)"},
    {{"rbac.authorization.k8s.io", "", "ClusterRole"}, {"rbac.authorization.k8s.io", "", "RoleBinding"}, R"(roleRef/name)"},
    {{"rbac.authorization.k8s.io", "", "ClusterRole"}, {"rbac.authorization.k8s.io", "", "ClusterRoleBinding"}, R"(roleRef/name)"},
    {{"", "v1", "ServiceAccount"}, {"rbac.authorization.k8s.io", "", "RoleBinding"}, R"(subjects)"},
    {{"", "v1", "ServiceAccount"}, {"rbac.authorization.k8s.io", "", "ClusterRoleBinding"}, R"(subjects)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "Pod"}, R"(spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "StatefulSet"}, R"(spec/template/spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "Deployment"}, R"(spec/template/spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "ReplicationController"}, R"(spec/template/spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "Job"}, R"(spec/template/spec/serviceAccountName)"},
    {{"", "v1", "ServiceAccount"}, {"", "", "DaemonSet"}, R"(spec/template/spec/serviceAccountName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "Pod"}, R"(spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "StatefulSet"}, R"(spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "Deployment"}, R"(spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "ReplicationController"}, R"(spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "Job"}, R"(spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolumeClaim"}, {"", "", "DaemonSet"}, R"(spec/template/spec/volumes/persistentVolumeClaim/claimName)"},
    {{"", "v1", "PersistentVolume"}, {"", "", "PersistentVolumeClaim"}, R"(spec/volumeName)"},
    {{"", "v1", "PersistentVolume"}, {"", "", "ClusterRole"}, R"(rules/resourceNames)"},
    {{"storage.k8s.io", "v1", "StorageClass"}, {"", "", "PersistentVolume"}, R"(spec/storageClassName)"},
    {{"storage.k8s.io", "v1", "StorageClass"}, {"", "", "PersistentVolumeClaim"}, R"(spec/storageClassName)"},
    {{"storage.k8s.io", "v1", "StorageClass"}, {"", "", "StatefulSet"}, R"(spec/volumeClaimTemplates/spec/storageClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "Pod"}, R"(spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "StatefulSet"}, R"(spec/template/spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "Deployment"}, R"(spec/template/spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "ReplicationController"}, R"(spec/template/spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "CronJob"}, R"(spec/jobTemplate/spec/template/spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "Job"}, R"(spec/template/spec/priorityClassName)"},
    {{"scheduling.k8s.io", "v1", "PriorityClass"}, {"", "", "DaemonSet"}, R"(spec/template/spec/priorityClassName)"},
    {{"networking.k8s.io/v1", "v1", "IngressClass"}, {"", "", "Ingress"}, R"(spec/ingressClassName)"},
    {{"admissionregistration.k8s.io", "", "ValidatingAdmissionPolicy"}, {"admissionregistration.k8s.io", "", "ValidatingAdmissionPolicyBinding"}, R"(spec/policyName)"},
  };
  return v;
}

}  // namespace gitopsd::render::kustomize
