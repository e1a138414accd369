#pragma once
// Internal: kustomize's transformer configuration, the field specs each built-in transformer
// works on. The built-in tables and the files a kustomization lists under `configurations` are
// merged, and a kustomization's configuration is merged into the one that includes it.
#include "model.hpp"

#include <string_view>
#include <utility>

namespace gitopsd::render::kustomize {

struct name_back_refs {
  gvk target;                        // the kind whose name is referenced
  std::vector<field_spec> referrers;  // where other kinds hold that name
};

struct transformer_config {
  std::vector<field_spec> name_prefix, name_suffix, ns, common_labels, labels, template_labels, common_annotations,
      var_reference, images, replicas;
  std::vector<name_back_refs> name_reference;
};

// A configuration holds at most this many field specs (the built-in ones are about 300): every
// spec is tried on every object, and a repository must not make a build quadratic.
inline constexpr std::size_t max_field_specs = 5'000;

using spec_list = std::vector<field_spec> transformer_config::*;
// The field spec lists with their names in a configuration file (nameReference apart).
const std::vector<std::pair<std::string_view, spec_list>>& spec_lists();

// Every list ordered by type, as kustomize orders a configuration it reads or merges.
void sort_config(transformer_config& t);
// kustomize's built-in configuration, sorted as kustomize sorts it.
const transformer_config& builtin_config();

// kustomize's merge of one field spec: one the list already has (same path, and its type chosen by
// the new one's selector) is skipped, or is a conflict when `create` differs.
result<void> merge_spec(std::vector<field_spec>& into, const field_spec& spec, std::string_view list);
result<void> merge_specs(std::vector<field_spec>& into, const std::vector<field_spec>& more, std::string_view list);
// Merges `more` into `into` and sorts every list by type, as kustomize does at each merge.
result<void> merge_config(transformer_config& into, const transformer_config& more);

// A list of field specs (group, version, kind, path, create) in `file`, at field `where`.
result<std::vector<field_spec>> read_field_specs(const rapidjson::Value& v, const std::string& file,
                                                 std::string_view where);
// The configuration `k` works with: the built-in one, with the files under its `configurations`.
result<transformer_config> load_config(const file_tree& tree, const kustomization& k, const limits& lim);

}  // namespace gitopsd::render::kustomize
