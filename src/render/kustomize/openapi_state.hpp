#pragma once
// Which OpenAPI schema a build's strategic merge patches see. kyaml keeps it in process-wide
// state that a build changes as it goes (kyaml/openapi/openapi.go: SetSchema, initSchema,
// IsNamespaceScoped); gitopsd replays the same steps per build:
//   - the top kustomization's `openapi` always applies; a base's or component's only while no
//     schema or version is set yet (the first one reached wins);
//   - a custom schema is parsed when first needed (a strategic merge patch, or an object whose
//     type kyaml has no precomputed scope for), and only then does a bad file fail the build;
//   - the built-in schema joins it when it was parsed, or asked for, before the custom one.
#include "model.hpp"
#include "openapi_schema.hpp"

#include <memory>

namespace gitopsd::render::kustomize {

class openapi_state {
 public:
  // A kustomization's `openapi` field, with the custom schema's text when `path` is given.
  // `top`: the kustomization being built (kustomize resets the state for it).
  result<void> set(const kustomization& k, const std::optional<std::string>& schema_text, bool top,
                   const limits& lim);
  // kyaml's IsNamespaceScoped for an object's type: may load the schema.
  result<void> probe_type(const std::string& api_version, const std::string& kind);
  // Whether a custom schema decides that objects of this type are cluster-scoped (kyaml's
  // IsNamespaceScoped, which reads `paths`); nothing when gitopsd's built-in table decides.
  std::optional<bool> cluster_scoped(const gvk& type);
  // kyaml's initSchema: the custom schema's parse error surfaces here.
  result<void> use() { return init(); }
  // The list rule a strategic merge patch uses in an object of this type at `path`.
  result<std::optional<list_rule>> rule(const gvk& type, const std::string& api_version, std::string_view path);

 private:
  result<void> init();
  [[nodiscard]] schema_pos resolve(std::string_view ref) const;

  bool version_set_ = false;
  std::optional<result<openapi_schema>> custom_;  // set by `openapi.path`; parse errors wait for use
  bool init_ = false, builtin_delayed_ = false, builtin_loaded_ = false, custom_loaded_ = false;
  bool custom_last_ = false;  // the custom schema was parsed after the built-in one
};

// The state of the build running on this thread (the strategic merge code reads it), or null:
// then only the built-in schema applies.
openapi_state* current_openapi();

class openapi_scope {
 public:
  explicit openapi_scope(openapi_state& s);
  ~openapi_scope();
  openapi_scope(const openapi_scope&) = delete;
  openapi_scope& operator=(const openapi_scope&) = delete;

 private:
  openapi_state* saved_;
};

}  // namespace gitopsd::render::kustomize
