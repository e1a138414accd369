#include "gitopsd/cli/trace_target.hpp"

#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace gitopsd::cli {
namespace {

const char* describe_cli(cli_errc) { return "invalid argument"; }
constexpr char cli_category_name[] = "gitopsd.cli";
using category = enum_category<cli_errc, cli_category_name, describe_cli>;

bool same_letters(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct known {
  const char* kind;
  const char* group;
  const char* version;
};

constexpr std::array<known, 24> known_kinds{{
    {"ConfigMap", "", "v1"}, {"Secret", "", "v1"}, {"Service", "", "v1"}, {"ServiceAccount", "", "v1"},
    {"Namespace", "", "v1"}, {"PersistentVolumeClaim", "", "v1"}, {"Pod", "", "v1"}, {"LimitRange", "", "v1"},
    {"ResourceQuota", "", "v1"}, {"Deployment", "apps", "v1"}, {"StatefulSet", "apps", "v1"}, {"DaemonSet", "apps", "v1"},
    {"ReplicaSet", "apps", "v1"}, {"Job", "batch", "v1"}, {"CronJob", "batch", "v1"},
    {"Ingress", "networking.k8s.io", "v1"}, {"NetworkPolicy", "networking.k8s.io", "v1"},
    {"Role", "rbac.authorization.k8s.io", "v1"}, {"RoleBinding", "rbac.authorization.k8s.io", "v1"},
    {"ClusterRole", "rbac.authorization.k8s.io", "v1"}, {"ClusterRoleBinding", "rbac.authorization.k8s.io", "v1"},
    {"CustomResourceDefinition", "apiextensions.k8s.io", "v1"}, {"HorizontalPodAutoscaler", "autoscaling", "v2"},
    {"GitRepository", "gitopsd.io", "v1alpha1"},
}};

}  // namespace

result<trace_target> parse_trace_target(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size() ||
      text.find('/', slash + 1) != std::string_view::npos)
    return make_error(category::code(cli_errc::invalid_argument),
                      fmt::format("expected KIND/NAME or KIND.GROUP/NAME, got '{}'", text));
  trace_target t;
  auto kind = text.substr(0, slash);
  t.name = std::string(text.substr(slash + 1));
  if (auto dot = kind.find('.'); dot != std::string_view::npos) {
    t.group = std::string(kind.substr(dot + 1));
    t.group_given = true;
    kind = kind.substr(0, dot);
    if (kind.empty() || t.group.empty())
      return make_error(category::code(cli_errc::invalid_argument), fmt::format("expected KIND.GROUP/NAME, got '{}'", text));
  }
  t.kind = std::string(kind);
  return t;
}

std::optional<group_version_kind> well_known_kind(std::string_view kind) {
  for (const auto& k : known_kinds)
    if (same_letters(kind, k.kind)) return group_version_kind{k.group, k.version, k.kind};
  return std::nullopt;
}

owner_marks owner_of(const rapidjson::Value& object, const object_ref& ref) {
  owner_marks m;
  auto id = json::get_string(object, "metadata", "annotations", "gitopsd.io/tracking-id").value_or("");
  auto label_ns = json::get_string(object, "metadata", "labels", "gitopsd.io/namespace").value_or("");
  auto label_name = json::get_string(object, "metadata", "labels", "gitopsd.io/name").value_or("");
  if (id.empty()) {
    if (!label_name.empty())
      m.problem = fmt::format("labels name GitRepository {}/{} but the tracking id is missing: not managed", label_ns, label_name);
    return m;
  }
  auto colon = id.find(':');
  auto owner = id.substr(0, colon);
  auto slash = owner.find('/');
  if (colon == std::string_view::npos || slash == std::string_view::npos) {
    m.problem = fmt::format("malformed tracking id '{}'", id);
    return m;
  }
  m.namespace_ = std::string(owner.substr(0, slash));
  m.name = std::string(owner.substr(slash + 1));
  if (id != tracking_id(m.namespace_, m.name, ref)) {
    m.problem = fmt::format("tracking id '{}' names another object: a copy, not managed", id);
    return m;
  }
  if (label_ns != m.namespace_ || label_name != m.name) {
    m.problem = fmt::format("labels name {}/{} but the tracking id names {}/{}", label_ns, label_name, m.namespace_, m.name);
    return m;
  }
  m.managed = true;
  return m;
}

sync_verdict judge_sync(const rapidjson::Value& owner, const object_ref& ref) {
  std::string id = ref.inventory_id();
  bool listed = false;
  if (const auto* entries = json::find(owner, "status", "inventory", "entries"); entries && entries->IsArray())
    for (const auto& e : entries->GetArray())
      if (json::get_string(e, "id") == id) listed = true;
  if (!listed) return {false, "not in the GitRepository's inventory (removed from Git, or not applied yet)"};
  if (json::get_bool(owner, "spec", "suspend").value_or(false)) return {false, "the GitRepository is suspended"};
  auto generation = json::get_int(owner, "metadata", "generation").value_or(0);
  auto observed = json::get_int(owner, "status", "observedGeneration").value_or(0);
  if (observed < generation) return {false, "the GitRepository's latest spec is not reconciled yet"};
  auto ready = condition_field(owner, "Ready", "status");
  if (ready != "True") {
    auto message = condition_field(owner, "Ready", "message");
    return {false, fmt::format("the GitRepository is not Ready: {}", message.empty() ? ready : message)};
  }
  return {true, "applied at the last applied revision"};
}

}  // namespace gitopsd::cli
