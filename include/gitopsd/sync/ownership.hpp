#pragma once
// Which GitRepository owns an object: two labels for selectors, and a tracking annotation that
// names owner and object together, so a copied object (same labels) is never taken for ours.

#include "gitopsd/core/identity.hpp"

#include <rapidjson/document.h>

#include <string>

namespace gitopsd::sync {

inline constexpr const char* owner_name_label = "gitopsd.io/name";
inline constexpr const char* owner_namespace_label = "gitopsd.io/namespace";
inline constexpr const char* tracking_annotation = "gitopsd.io/tracking-id";
inline constexpr const char* reconcile_annotation = "gitopsd.io/reconcile";
inline constexpr const char* prune_annotation = "gitopsd.io/prune";
inline constexpr const char* disabled_value = "disabled";

struct owner {
  std::string namespace_;
  std::string name;
};

// A label selector for the objects that carry the owner labels of `who`.
std::string owner_selector(const owner& who);

// Adds the owner labels and the tracking annotation for `ref` to the object's metadata.
void stamp_owner(rapidjson::Document& object, const owner& who, const object_ref& ref);

// True when the live object carries both labels of `who` and the tracking id of itself.
bool is_owned_by(const rapidjson::Value& live, const owner& who, const object_ref& ref);

// True when the object has annotation `key` set to "disabled".
bool is_disabled(const rapidjson::Value& object, const char* key);

}  // namespace gitopsd::sync
