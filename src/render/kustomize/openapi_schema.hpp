#pragma once
// A custom OpenAPI schema given by a kustomization's `openapi: {path: FILE}`: its definitions,
// indexed by x-kubernetes-group-version-kind, and the strategic merge list rules they declare.
// kyaml walks such a schema field by field, following `$ref`s into `definitions`.
#include "merge_keys.hpp"

#include "gitopsd/core/error.hpp"
#include "gitopsd/render/yaml.hpp"

#include <rapidjson/document.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace gitopsd::render::kustomize {

// `$ref` hops followed for one field: kyaml follows a cycle forever, gitopsd stops with an error.
inline constexpr int max_schema_ref_hops = 64;

class openapi_schema {
 public:
  // `text`: JSON or YAML (the first document). Errors name `file`.
  static result<openapi_schema> parse(std::string_view text, const std::string& file, const limits& lim);

  // The definition kyaml uses for objects of this apiVersion and kind, if any.
  [[nodiscard]] const rapidjson::Value* for_type(const std::string& api_version, const std::string& kind) const;
  // The definition a `$ref` names ("#/definitions/NAME"), if any.
  [[nodiscard]] const rapidjson::Value* definition(std::string_view ref) const;
  [[nodiscard]] const std::string& file() const { return file_; }
  // From `paths`: whether a type is served in namespaces (a GET path with namespaces/{namespace}),
  // or not; nothing when no path names it.
  [[nodiscard]] std::optional<bool> namespaced(const std::string& api_version, const std::string& kind) const;

 private:
  result<void> read_paths(const rapidjson::Value& root);

  std::string file_;
  std::shared_ptr<rapidjson::Document> doc_;
  std::map<std::string, const rapidjson::Value*, std::less<>> defs_;
  std::map<std::pair<std::string, std::string>, const rapidjson::Value*> by_type_;
  std::map<std::pair<std::string, std::string>, bool> namespaced_;
};

// Where a walk through a schema stands: a custom definition, or a built-in definition whose
// lists merge_keys.hpp knows (list_rule_in), or nothing known.
struct schema_pos {
  const rapidjson::Value* node = nullptr;
  std::string_view builtin;  // the built-in definition's name, a view into the schema
};

// Resolves a `$ref` name to a position: a custom definition or a built-in type kyaml also holds.
using ref_resolver = std::function<schema_pos(std::string_view ref)>;

// The list rule at `path` ("spec/items[]/ports", as merge_keys.hpp writes paths) below `root`.
// kyaml merges a list by keys when its schema's x-kubernetes-patch-strategy has "merge":
// x-kubernetes-list-map-keys, else x-kubernetes-patch-merge-key, else as a set of scalars.
// Each `$ref` followed costs its length (and a little more) from `ref_budget`, which the caller
// keeps for a whole build: a patch of many deep lists over long `$ref` chains stops at it.
result<std::optional<list_rule>> schema_list_rule(const schema_pos& root, std::string_view path,
                                                  const ref_resolver& resolve, const std::string& file,
                                                  std::size_t& ref_budget);

// The default of a build's `ref_budget`: bytes of `$ref` names followed while merging.
inline constexpr std::size_t schema_ref_budget = 256u << 20;

}  // namespace gitopsd::render::kustomize
