// How a strategic merge patch merges one list of a built-in kind: by merge key(s), as a set of
// scalars, or (no rule) by replacing it. The rules are facts of the Kubernetes schema as
// kustomize v5.8.1 embeds it, looked up by the list's path inside the object.
#pragma once

#include <optional>
#include <string_view>

namespace gitopsd::render::kustomize {

struct list_rule {
  // x-kubernetes-list-map-keys: one key, or two (the second may be absent from an element).
  std::string_view key{};
  std::string_view second_key{};  // empty when the list has one key
  bool scalar_set = false;      // patch strategy "merge" on a list of scalars (finalizers)
};

// `path` names fields from the object's root, "/" between them, "[]" after a list element's
// field: "spec/template/spec/containers[]/ports".
std::optional<list_rule> list_rule_for(std::string_view kind, std::string_view path);

// The same rules inside a built-in definition a custom schema's `$ref` may reach
// ("io.k8s.api.core.v1.PodSpec"), `path` from the definition's root.
bool knows_definition(std::string_view definition);
std::optional<list_rule> list_rule_in(std::string_view definition, std::string_view path);

// Whether kustomize's built-in schema may know kinds of this API group.
bool is_builtin_group(std::string_view group);

}  // namespace gitopsd::render::kustomize
