// Merge keys of built-in kinds, keyed by schema path. Facts from the Kubernetes OpenAPI
// (x-kubernetes-patch-merge-key, x-kubernetes-patch-strategy, x-kubernetes-list-map-keys; regenerate
// the candidate list with scripts/smp-merge-keys.py), narrowed to what kustomize v5.8.1 merges:
// its embedded schema predates PodSpec.schedulingGates and PodSpec.resourceClaims, so it replaces
// those lists (corpus case smp-schema-podspec).
#include "merge_keys.hpp"

#include <array>

namespace gitopsd::render::kustomize {
namespace {

struct entry {
  std::string_view path;  // relative to the type's root
  list_rule rule;
};

// Container and EphemeralContainer share these fields.
#define GITOPSD_CONTAINER(c)                                                  \
  entry{c "[]/env", {"name"}}, entry{c "[]/ports", {"containerPort", "protocol"}}, \
      entry{c "[]/volumeMounts", {"mountPath"}}, entry{c "[]/volumeDevices", {"devicePath"}}

constexpr std::array pod_spec{
    entry{"containers", {"name"}},
    entry{"initContainers", {"name"}},
    entry{"ephemeralContainers", {"name"}},
    entry{"volumes", {"name"}},
    entry{"imagePullSecrets", {"name"}},
    entry{"hostAliases", {"ip"}},
    entry{"topologySpreadConstraints", {"topologyKey", "whenUnsatisfiable"}},
    GITOPSD_CONTAINER("containers"),
    GITOPSD_CONTAINER("initContainers"),
    GITOPSD_CONTAINER("ephemeralContainers"),
};
#undef GITOPSD_CONTAINER

constexpr std::array object_meta{
    entry{"finalizers", {"", "", true}},
    entry{"ownerReferences", {"uid"}},
};

struct kind_entry {
  std::string_view kind;
  std::string_view path;
  list_rule rule;
};

constexpr std::array by_kind{
    kind_entry{"Service", "spec/ports", {"port", "protocol"}},
    kind_entry{"ServiceAccount", "secrets", {"name"}},
    kind_entry{"ValidatingWebhookConfiguration", "webhooks", {"name"}},
    kind_entry{"MutatingWebhookConfiguration", "webhooks", {"name"}},
    kind_entry{"ValidatingWebhookConfiguration", "webhooks[]/matchConditions", {"name"}},
    kind_entry{"MutatingWebhookConfiguration", "webhooks[]/matchConditions", {"name"}},
    kind_entry{"CSINode", "spec/drivers", {"name"}},
};

// Where a kind keeps its pod template's spec and metadata.
std::string_view pod_template(std::string_view kind) {
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet" || kind == "Job" ||
      kind == "ReplicationController")
    return "spec/template/";
  if (kind == "CronJob") return "spec/jobTemplate/spec/template/";
  if (kind == "PodTemplate") return "template/";
  return {};
}

template <class Table>
std::optional<list_rule> find(const Table& table, std::string_view path) {
  for (const auto& e : table)
    if (e.path == path) return e.rule;
  return std::nullopt;
}

std::optional<list_rule> under(std::string_view path, std::string_view prefix, std::string_view type_root,
                               bool pod) {
  std::string_view rest = path;
  if (!rest.starts_with(prefix)) return std::nullopt;
  rest.remove_prefix(prefix.size());
  if (rest.starts_with("metadata/")) return find(object_meta, rest.substr(9));
  if (!pod || !rest.starts_with(type_root)) return std::nullopt;
  return find(pod_spec, rest.substr(type_root.size()));
}

// Finds `path` among the entries under `prefix` ("containers[]/").
std::optional<list_rule> find_under(std::string_view prefix, std::string_view path) {
  for (const auto& e : pod_spec)
    if (e.path.size() == prefix.size() + path.size() && e.path.starts_with(prefix) && e.path.ends_with(path))
      return e.rule;
  return std::nullopt;
}

constexpr std::string_view pod_template_spec = "io.k8s.api.core.v1.PodTemplateSpec";
constexpr std::string_view pod_spec_def = "io.k8s.api.core.v1.PodSpec";
constexpr std::string_view container = "io.k8s.api.core.v1.Container";
constexpr std::string_view ephemeral_container = "io.k8s.api.core.v1.EphemeralContainer";
constexpr std::string_view object_meta_def = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

}  // namespace

bool knows_definition(std::string_view d) {
  return d == pod_template_spec || d == pod_spec_def || d == container || d == ephemeral_container ||
         d == object_meta_def;
}

std::optional<list_rule> list_rule_in(std::string_view definition, std::string_view path) {
  if (definition == object_meta_def) return find(object_meta, path);
  if (definition == pod_spec_def) return find(pod_spec, path);
  if (definition == pod_template_spec) return under(path, "", "spec/", true);
  if (definition == container) return find_under("containers[]/", path);
  if (definition == ephemeral_container) return find_under("ephemeralContainers[]/", path);
  return std::nullopt;
}

bool is_builtin_group(std::string_view group) {
  return group.empty() || group == "apps" || group == "batch" || group == "policy" || group == "networking.k8s.io" ||
         group == "autoscaling" || group == "rbac.authorization.k8s.io" || group == "storage.k8s.io" || group == "admissionregistration.k8s.io";
}

std::optional<list_rule> list_rule_for(std::string_view kind, std::string_view path) {
  for (const auto& e : by_kind)
    if (e.kind == kind && e.path == path) return e.rule;
  if (path == "status/conditions") return list_rule{"type"};
  if (kind == "Pod") return under(path, "", "spec/", true);
  if (auto r = under(path, "", "", false)) return r;  // the object's own metadata
  std::string_view t = pod_template(kind);
  if (t.empty()) return std::nullopt;
  return under(path, t, "spec/", true);
}

}  // namespace gitopsd::render::kustomize
