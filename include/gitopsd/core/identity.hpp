#pragma once
// Object identity: group/version/kind, namespace/name, and the ids the agent stores about objects.

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <compare>
#include <string>
#include <string_view>

namespace gitopsd {

struct group_version_kind {
  std::string group;  // empty for the core group
  std::string version;
  std::string kind;

  // "apps/v1" or "v1" (core group).
  [[nodiscard]] std::string api_version() const;
  static result<group_version_kind> from(std::string_view api_version, std::string_view kind);
  auto operator<=>(const group_version_kind&) const = default;
};

struct object_ref {
  group_version_kind gvk;
  std::string namespace_;  // empty for cluster-scoped objects
  std::string name;

  // "<namespace>_<name>_<group>_<kind>", the form stored in status.inventory.
  [[nodiscard]] std::string inventory_id() const;
  // "Kind/namespace/name" or "Kind/name", for messages a person reads.
  [[nodiscard]] std::string display() const;
  auto operator<=>(const object_ref&) const = default;
};

// Reads apiVersion, kind, metadata.name and metadata.namespace; names what is missing.
result<object_ref> object_ref_of(const rapidjson::Value& object);

// Parses an inventory id back; the version is not part of it and stays empty.
result<object_ref> parse_inventory_id(std::string_view id);

// "<owner ns>/<owner name>:<group>/<kind>:<ns>/<name>": names the owner and the object together,
// so a copy of a managed object (same labels, other name) is never taken for ours.
std::string tracking_id(std::string_view owner_namespace, std::string_view owner_name, const object_ref& object);

}  // namespace gitopsd
