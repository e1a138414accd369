#pragma once
// Which OpenAPI schema a build's strategic merge patches see. kyaml keeps it in process-wide
// state that a build changes as it goes (kyaml/openapi/openapi.go: SetSchema, initSchema,
// IsNamespaceScoped); gitopsd replays the same steps per build:
//   - the top kustomization's `openapi` always applies; a base's or component's only while no
//     schema or version is set yet (the first one reached wins);
//   - a custom schema is read as soon as a kustomization names it, but a bad file fails the build
//     only when kyaml would first need it (a strategic merge patch, or an object whose type kyaml
//     has no precomputed scope for);
//   - the built-in schema joins it when it was parsed, or asked for, before the custom one;
//   - a custom schema that fails to parse fails the build (kyaml panics): the error stays, and
//     every later use returns it.
// Threading: one state per build, made current by openapi_scope (RAII) on the build's thread.
// A build runs synchronously on that thread and never suspends while its state is current, so
// the thread-local pointer always names the build that reads it.
#include "model.hpp"
#include "openapi_schema.hpp"

#include <memory>
#include <string_view>

namespace gitopsd::render::kustomize {

// kyaml's precomputed scopes of built-in types, by exact apiVersion and kind (its built-in
// schema knows no others); nothing for another type.
std::optional<bool> builtin_namespaced(std::string_view api_version, std::string_view kind);

class openapi_state {
 public:
  // A kustomization's `openapi` field, with the custom schema when `openapi.path` is given.
  // `top`: the kustomization being built (kustomize resets the state for it).
  result<void> set(const kustomization& k, const std::optional<named_file>& schema, bool top, const limits& lim);
  // kyaml's IsNamespaceScoped for an object's type: may load the schema.
  result<void> probe_type(std::string_view api_version, std::string_view kind);
  // Whether a custom schema's `paths` say objects of this type are cluster-scoped; nothing when
  // it has no answer (builtin_namespaced decides). May load the schema, as kyaml does; a failed
  // load has no answer here and is reported by status().
  std::optional<bool> cluster_scoped(const gvk& type);
  // kyaml's initSchema: loads the schema now if it is not yet.
  result<void> load();
  // A custom schema is set but not loaded: the next type without a precomputed scope loads it.
  [[nodiscard]] bool waiting() const { return custom_.has_value() && !init_ && !failed_; }
  // The custom schema's parse error once a load met it.
  [[nodiscard]] result<void> status() const {
    if (failed_) return *failed_;
    return {};
  }
  // The list rule a strategic merge patch uses in an object of this type at `path`.
  result<std::optional<list_rule>> rule(const gvk& type, const std::string& api_version, std::string_view path);

 private:
  [[nodiscard]] schema_pos resolve(std::string_view ref) const;

  bool version_set_ = false;
  std::optional<result<openapi_schema>> custom_;  // set by `openapi.path`; parse errors wait for use
  std::optional<error> failed_;                   // a load met custom_'s error
  bool init_ = false, builtin_delayed_ = false, builtin_loaded_ = false, custom_loaded_ = false;
  bool custom_last_ = false;  // the custom schema was parsed after the built-in one
  std::size_t ref_budget_ = schema_ref_budget;  // of the whole build's merges
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
