#pragma once
// Internal: the plugin configs a kustomization lists under `transformers` or `generators`, read as
// kustomize reads them. Only kustomize's built-in plugins are accepted; exec plugins and KRM
// functions are refused.
#include "model.hpp"

#include <functional>
#include <string_view>

namespace gitopsd::render::kustomize {

struct plugin_config {
  rapidjson::Document doc;
  std::string entry;   // the entry as messages name it: "\"file.yaml\"" or, inline, "[2]"
  std::string origin;  // where the document came from
  std::string kind;
};

// Builds a folder listed as an entry: a kustomization whose output are the configs.
using build_folder_fn = std::function<result<resmap>(const std::string& dir)>;

// Whether an entry is itself the config (kustomize tries to read it as YAML objects first).
bool is_inline_config(const std::string& entry, const limits& lim);

// The configs of `entries` (`field` is "transformers" or "generators") in kustomize's order: the
// inline ones first, then those of files and folders, each in the order listed.
result<std::vector<plugin_config>> load_plugin_configs(const file_tree& tree, const kustomization& k,
                                                       const std::vector<std::string>& entries,
                                                       std::string_view field, const limits& lim,
                                                       const build_folder_fn& build_folder);

}  // namespace gitopsd::render::kustomize
