#include "gitopsd/sync/plan.hpp"

#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

namespace gitopsd::sync {
namespace {

const char* describe(plan_errc e) {
  switch (e) {
    case plan_errc::duplicate: return "object declared twice";
    case plan_errc::unknown_kind: return "kind not served by the cluster";
  }
  return "plan error";
}
constexpr char category_name[] = "gitopsd.sync.plan";
using category = enum_category<plan_errc, category_name, describe>;

// The scope of kinds whose CRD is part of the same set: group/kind -> namespaced.
std::map<std::pair<std::string, std::string>, bool> scopes_from_crds(const std::vector<render::manifest>& objects) {
  std::map<std::pair<std::string, std::string>, bool> out;
  for (const auto& o : objects) {
    if (json::get_string(o.object, "kind") != "CustomResourceDefinition") continue;
    auto group = json::get_string(o.object, "spec", "group");
    auto kind = json::get_string(o.object, "spec", "names", "kind");
    if (group && kind)
      out[{std::string(*group), std::string(*kind)}] = json::get_string(o.object, "spec", "scope") != "Cluster";
  }
  return out;
}

void set_namespace(rapidjson::Document& object, std::string_view ns) {
  auto& metadata = json::ensure_object(object, "metadata", object.GetAllocator());
  if (ns.empty()) metadata.RemoveMember("namespace");
  else json::set_string(metadata, "namespace", ns, object.GetAllocator());
}

}  // namespace

apply_stage stage_of(const group_version_kind& gvk) {
  if ((gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition") ||
      (gvk.group.empty() && gvk.kind == "Namespace") ||
      (gvk.group == "rbac.authorization.k8s.io" && gvk.kind == "ClusterRole"))
    return apply_stage::definitions;
  if (gvk.kind.size() > 5 && gvk.kind.ends_with("Class")) return apply_stage::classes;
  return apply_stage::workloads;
}

int order_in_stage(const group_version_kind& gvk) {
  static const std::set<std::pair<std::string_view, std::string_view>> referenced = {
      {"", "ServiceAccount"}, {"", "Secret"}, {"", "ConfigMap"}, {"", "PersistentVolume"},
      {"", "PersistentVolumeClaim"}, {"", "LimitRange"}, {"", "ResourceQuota"},
      {"rbac.authorization.k8s.io", "Role"}, {"rbac.authorization.k8s.io", "RoleBinding"},
      {"rbac.authorization.k8s.io", "ClusterRoleBinding"}, {"networking.k8s.io", "NetworkPolicy"},
      {"policy", "PodDisruptionBudget"}};
  static const std::set<std::pair<std::string_view, std::string_view>> starts_pods = {
      {"", "Pod"}, {"", "ReplicationController"}, {"apps", "Deployment"}, {"apps", "StatefulSet"},
      {"apps", "DaemonSet"}, {"apps", "ReplicaSet"}, {"batch", "Job"}, {"batch", "CronJob"}};
  std::pair<std::string_view, std::string_view> key{gvk.group, gvk.kind};
  if (referenced.contains(key)) return 0;
  if (starts_pods.contains(key)) return 2;
  return 1;
}

result<std::vector<planned_object>> make_plan(std::vector<render::manifest> objects, const plan_options& options,
                                              const scope_lookup& scope) {
  auto crd_scopes = scopes_from_crds(objects);
  std::vector<planned_object> planned;
  planned.reserve(objects.size());
  std::map<std::string, std::string> origin_by_id;  // inventory id -> origin, for duplicates

  for (auto& o : objects) {
    auto ref = object_ref_of(o.object);
    if (!ref) return ref.error().wrap(o.origin);
    std::optional<bool> namespaced;
    if (auto it = crd_scopes.find({ref->gvk.group, ref->gvk.kind}); it != crd_scopes.end()) namespaced = it->second;
    else namespaced = scope(ref->gvk);
    if (!namespaced)
      return make_error(category::code(plan_errc::unknown_kind),
                        fmt::format("{}: {} {} is not served by the cluster (no such kind in {}; is its CRD installed?)",
                                    o.origin, ref->gvk.kind, ref->name, ref->gvk.api_version()));
    if (!*namespaced) ref->namespace_.clear();
    else if (ref->namespace_.empty()) ref->namespace_ = options.default_namespace;
    set_namespace(o.object, ref->namespace_);

    auto id = ref->inventory_id();
    if (auto [it, added] = origin_by_id.emplace(id, o.origin); !added)
      return make_error(category::code(plan_errc::duplicate),
                        fmt::format("{} is declared twice: in {} and in {}", ref->display(), it->second, o.origin));
    stamp_owner(o.object, options.who, *ref);
    stamp_source(o.object, o.origin);
    auto stage = stage_of(ref->gvk);
    planned.push_back({std::move(o.object), std::move(o.origin), std::move(*ref), stage});
  }
  // Stable, so the Git order decides ties the way the author wrote them.
  std::stable_sort(planned.begin(), planned.end(), [](const planned_object& a, const planned_object& b) {
    if (a.stage != b.stage) return a.stage < b.stage;
    return order_in_stage(a.ref.gvk) < order_in_stage(b.ref.gvk);
  });
  return planned;
}

}  // namespace gitopsd::sync
