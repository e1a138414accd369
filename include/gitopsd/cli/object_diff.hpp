#pragma once
// `gitopsd diff`'s view of one object: the live object and the server's dry-run result made
// comparable (fields the server owns left out, Secret values masked) and shown as a unified diff
// of their YAML. No I/O.

#include "gitopsd/core/identity.hpp"

#include <rapidjson/document.h>

#include <string>

namespace gitopsd::cli {

// What a person cannot change and the server rewrites on every write: metadata.managedFields,
// resourceVersion, generation, uid, creationTimestamp, and status; and the gitopsd.io/source
// annotation, which names the file relative to what was rendered.
void strip_server_fields(rapidjson::Value& object);

// What replaces a Secret value: the same on both sides when the value is unchanged, a pair that
// differs when it changed, so the diff shows which key changed without showing either value.
inline constexpr const char* masked = "***";
inline constexpr const char* masked_before = "*** (before)";
inline constexpr const char* masked_after = "*** (after)";

// For core/v1 Secrets (either side may be null: absent): every value of data and stringData, and
// the kubectl.kubernetes.io/last-applied-configuration annotation (which holds the data too), is
// masked. Other kinds are left as they are.
void mask_secret_values(rapidjson::Document* live, rapidjson::Document* merged);

// "v1/ConfigMap/ns/name", "apps/v1/Deployment/ns/name", "v1/Namespace/name".
std::string diff_path(const object_ref& ref);

// The unified diff of `live` and `merged` (null: absent) after stripping and masking, with
// "--- live/<path>" and "+++ merged/<path>" headers; empty when they are equal.
std::string object_diff(const object_ref& ref, const rapidjson::Value* live, const rapidjson::Value* merged);

// ANSI colors for a terminal: removed lines red, added green, hunk headers cyan, file headers bold.
std::string colorize_diff(const std::string& diff);

}  // namespace gitopsd::cli
