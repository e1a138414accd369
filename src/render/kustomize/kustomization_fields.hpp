#pragma once
// Internal: readers of kustomization fields, shared with the built-in plugin configs, which carry
// the same fields (a ConfigMapGenerator config is a configMapGenerator entry, and so on).
#include "model.hpp"

#include <initializer_list>
#include <string_view>

namespace gitopsd::render::kustomize {

// The fields of a configMapGenerator entry (and of a ConfigMapGenerator config); a secret's add
// `type`.
inline const std::initializer_list<std::string_view> configmap_generator_fields = {
    "name", "namespace", "behavior", "literals", "files", "envs", "env", "options"};
inline const std::initializer_list<std::string_view> secret_generator_fields = {
    "name", "namespace", "behavior", "literals", "files", "envs", "env", "options", "type"};

// A configMapGenerator (or, with `secret`, secretGenerator) list; errors name `file` and `field`.
result<std::vector<generator_spec>> read_generator_list(const rapidjson::Value& v, const std::string& file,
                                                        std::string_view field, bool secret);
// A patches (or, with `legacy_json`, patchesJson6902) list; `path` entries are read below `scope`.
result<std::vector<patch_spec>> read_patch_list(const file_tree& tree, const kustomization& scope,
                                                const rapidjson::Value& v, const std::string& file,
                                                std::string_view field, bool legacy_json, const limits& lim);
// A map of strings (labels, annotations).
result<string_pairs> read_string_map(const rapidjson::Value& v, const std::string& file, std::string_view field);

}  // namespace gitopsd::render::kustomize
