#include "gitopsd/core/identity.hpp"

#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <vector>

namespace gitopsd {

std::string group_version_kind::api_version() const { return group.empty() ? version : group + "/" + version; }

result<group_version_kind> group_version_kind::from(std::string_view api_version, std::string_view kind) {
  if (api_version.empty()) return make_error(core::errc::invalid_identity, "apiVersion is empty");
  if (kind.empty()) return make_error(core::errc::invalid_identity, "kind is empty");
  auto slash = api_version.find('/');
  if (slash == std::string_view::npos) return group_version_kind{"", std::string(api_version), std::string(kind)};
  auto group = api_version.substr(0, slash);
  auto version = api_version.substr(slash + 1);
  if (group.empty() || version.empty() || version.find('/') != std::string_view::npos)
    return make_error(core::errc::invalid_identity, fmt::format("apiVersion \"{}\" is not group/version", api_version));
  return group_version_kind{std::string(group), std::string(version), std::string(kind)};
}

std::string object_ref::inventory_id() const { return fmt::format("{}_{}_{}_{}", namespace_, name, gvk.group, gvk.kind); }

std::string object_ref::display() const {
  return namespace_.empty() ? fmt::format("{}/{}", gvk.kind, name) : fmt::format("{}/{}/{}", gvk.kind, namespace_, name);
}

result<object_ref> object_ref_of(const rapidjson::Value& object) {
  if (!object.IsObject()) return make_error(core::errc::invalid_identity, "not a JSON object");
  auto api_version = json::get_string(object, "apiVersion");
  if (!api_version) return make_error(core::errc::missing_field, "apiVersion is missing");
  auto kind = json::get_string(object, "kind");
  if (!kind) return make_error(core::errc::missing_field, "kind is missing");
  auto name = json::get_string(object, "metadata", "name");
  if (!name || name->empty()) return make_error(core::errc::missing_field, fmt::format("{} has no metadata.name", *kind));
  auto gvk = group_version_kind::from(*api_version, *kind);
  if (!gvk) return gvk.error();
  return object_ref{std::move(*gvk), std::string(json::get_string(object, "metadata", "namespace").value_or("")),
                    std::string(*name)};
}

result<object_ref> parse_inventory_id(std::string_view id) {
  // Namespaces, groups and kinds cannot contain '_'; names can (RBAC objects: "team_admin"). So
  // the namespace ends at the first '_', the kind starts after the last, the group sits between
  // the last two, and the name is whatever is left in the middle.
  auto bad = [&] {
    return make_error(core::errc::invalid_identity,
                      fmt::format("inventory id \"{}\" is not <namespace>_<name>_<group>_<kind>", id));
  };
  auto first = id.find('_');
  auto last = id.rfind('_');
  if (first == std::string_view::npos || last <= first) return bad();
  auto before_last = id.rfind('_', last - 1);
  if (before_last == std::string_view::npos || before_last <= first) return bad();
  std::string_view ns = id.substr(0, first);
  std::string_view name = id.substr(first + 1, before_last - first - 1);
  std::string_view group = id.substr(before_last + 1, last - before_last - 1);
  std::string_view kind = id.substr(last + 1);
  if (name.empty() || kind.empty()) return bad();
  return object_ref{{std::string(group), "", std::string(kind)}, std::string(ns), std::string(name)};
}

std::string tracking_id(std::string_view owner_namespace, std::string_view owner_name, const object_ref& object) {
  return fmt::format("{}/{}:{}/{}:{}/{}", owner_namespace, owner_name, object.gvk.group, object.gvk.kind,
                     object.namespace_, object.name);
}

}  // namespace gitopsd
