#pragma once
// Internal: kustomize's built-in transformers over a list of resources.
#include "transformer_config.hpp"

#include <functional>

namespace gitopsd::render::kustomize {

// Asked before each object a patch changes: an error (the render's time budget ran out, the
// reconcile was stopped) ends the build there.
using keep_going = std::function<result<void>()>;
result<void> apply_strategic_merge_file(resmap& ra, const patch_spec& p, const limits& lim, const keep_going& going);
result<void> apply_patch(resmap& ra, const patch_spec& p, const limits& lim, const keep_going& going);
// Which RoleBinding subjects get the namespace (NamespaceTransformer's setRoleBindingSubjects).
enum class subjects_mode { default_only, none, all_service_accounts };
struct namespace_options {
  bool unset_only = false;  // only where no namespace is given yet
  subjects_mode subjects = subjects_mode::default_only;
};
// Each transformer takes its field specs (kustomize's built-in ones and the configured ones).
result<void> set_namespace(resmap& ra, const std::string& ns, const std::vector<field_spec>& specs,
                           const namespace_options& o = {});
result<void> add_prefix_suffix(resmap& ra, const std::string& text, bool prefix, const std::vector<field_spec>& specs);
result<void> add_pairs(resmap& ra, const string_pairs& pairs, const std::vector<field_spec>& specs);
result<void> set_replicas(resmap& ra, const std::string& name, std::int64_t count, const std::string& file,
                          const std::vector<field_spec>& specs);
result<void> set_images(resmap& ra, const image_spec& image, const std::vector<field_spec>& specs);
result<void> fix_name_references(resmap& ra, const std::vector<name_back_refs>& refs);
// kustomize's legacy order; `custom` replaces its built-in orderFirst/orderLast kind lists.
void legacy_sort(resmap& ra, const std::pair<std::vector<std::string>, std::vector<std::string>>* custom = nullptr);

}  // namespace gitopsd::render::kustomize
