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
// The file in Git an object came from (a render origin such as "app/web.yaml#2"): for `trace`.
inline constexpr const char* source_annotation = "gitopsd.io/source";
inline constexpr const char* reconcile_annotation = "gitopsd.io/reconcile";
inline constexpr const char* prune_annotation = "gitopsd.io/prune";
inline constexpr const char* disabled_value = "disabled";
// On a live object made by someone else: gitopsd may take it over (adopt_value).
inline constexpr const char* adopt_annotation = "gitopsd.io/adopt";
// Stamped on an object gitopsd adopted: an adopted Namespace or CRD is never deleted by prune.
inline constexpr const char* adopted_annotation = "gitopsd.io/adopted";
inline constexpr const char* adopt_value = "true";

struct owner {
  std::string namespace_;
  std::string name;
};

// A label selector for the objects that carry the owner labels of `who`.
std::string owner_selector(const owner& who);

// Adds the owner labels and the tracking annotation for `ref` to the object's metadata.
void stamp_owner(rapidjson::Document& object, const owner& who, const object_ref& ref);

// Adds the source annotation: `origin` cut to a bounded size (paths in Git can be long).
void stamp_source(rapidjson::Document& object, std::string_view origin);

// True when the live object carries both labels of `who` and the tracking id of itself.
bool is_owned_by(const rapidjson::Value& live, const owner& who, const object_ref& ref);

// Who may write a declared object, judged from the object as it is in the cluster.
enum class claim {
  absent,       // not in the cluster: created as ours
  ours,         // carries our tracking id for itself
  adopt,        // unmarked, and policy allows taking it over
  other_owner,  // carries another GitRepository's marks: never taken
  unmarked,     // made by a person or another tool, and no policy allows taking it over
};

struct claim_decision {
  claim verdict = claim::absent;
  std::string current_owner;  // other_owner: "namespace/name" of the GitRepository that has it
  bool mark_adopted = false;  // stamp adopted_annotation (newly adopted, or adopted before)
};

// `live` is null when the object does not exist. `adopt_all` is the GitRepository's spec.adopt;
// the live object's own adopt_annotation allows adopting that object alone. A tracking id that
// names us but another object (a copy of one of ours) is unmarked, not ours.
claim_decision decide_claim(const rapidjson::Value* live, const owner& who, const object_ref& ref, bool adopt_all);

// What prune does with a stale object, judged from the object as it is in the cluster.
enum class prune_verdict {
  remove,
  keep_not_ours,  // another owner's tracking id, or none: never deleted
  keep_disabled,  // gitopsd.io/prune: disabled
  orphan_adopted,  // an adopted Namespace or CRD: left in place, with a warning
};

prune_verdict decide_prune(const rapidjson::Value& live, const owner& who, const object_ref& ref);

// Namespaces and CRDs hold other objects (or their data): deleting one gitopsd did not create
// would delete what others put there.
bool never_pruned_when_adopted(const group_version_kind& gvk);

// True when the object has annotation `key` set to "disabled".
bool is_disabled(const rapidjson::Value& object, const char* key);

}  // namespace gitopsd::sync
