// kustomize's transformer configuration: the built-in tables as one configuration, and the merge
// that joins configurations (bases into overlays, files into the built-in tables).
#include "transformer_config.hpp"

#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace gitopsd::render::kustomize {

const std::vector<std::pair<std::string_view, spec_list>>& spec_lists() {
  using c = transformer_config;
  static const std::vector<std::pair<std::string_view, spec_list>> v = {
      {"namePrefix", &c::name_prefix}, {"nameSuffix", &c::name_suffix},
      {"namespace", &c::ns},           {"commonLabels", &c::common_labels},
      {"labels", &c::labels},          {"templateLabels", &c::template_labels},
      {"commonAnnotations", &c::common_annotations}, {"varReference", &c::var_reference},
      {"images", &c::images},          {"replicas", &c::replicas}};
  return v;
}

// kustomize sorts with an unstable sort; the order of specs of one type only changes the order
// they are applied in, so a stable sort gives the same objects.
void sort_config(transformer_config& t) {
  auto by_type = [](const field_spec& x, const field_spec& y) { return gvk_less(x.selector, y.selector); };
  for (const auto& [name, list] : spec_lists()) std::stable_sort((t.*list).begin(), (t.*list).end(), by_type);
  std::stable_sort(t.name_reference.begin(), t.name_reference.end(),
                   [](const name_back_refs& x, const name_back_refs& y) { return gvk_less(x.target, y.target); });
}

namespace {

transformer_config make_builtin() {
  transformer_config t;
  t.name_prefix = t.name_suffix = {{{}, "metadata/name", false}};
  t.ns = {{{"", "", "Namespace"}, "metadata/name", true},
          {{"apiregistration.k8s.io", "", "APIService"}, "spec/service/namespace", true},
          {{"apiextensions.k8s.io", "", "CustomResourceDefinition"}, "spec/conversion/webhook/clientConfig/service/namespace", false}};
  t.common_labels = common_label_specs();
  t.template_labels = metadata_label_specs();
  t.common_annotations = common_annotation_specs();
  t.var_reference = var_reference_specs();
  t.images = image_specs();
  t.replicas = replica_specs();
  for (const auto& ref : name_references()) {
    auto it = std::find_if(t.name_reference.begin(), t.name_reference.end(),
                           [&](const name_back_refs& n) { return n.target == ref.target; });
    if (it == t.name_reference.end()) it = t.name_reference.insert(it, {ref.target, {}});
    it->referrers.push_back({ref.referrer, ref.path, false});
  }
  sort_config(t);
  return t;
}

}  // namespace

const transformer_config& builtin_config() {
  static const transformer_config t = make_builtin();
  return t;
}

namespace {

error conflict(const field_spec& have, const field_spec& spec, std::string_view list) {
  return make_error(errc::invalid_kustomization,
                    fmt::format("conflicting field specs in {}: path \"{}\"{} is given with create {} and {}", list,
                                spec.path, spec.selector.kind.empty() ? "" : " of kind " + spec.selector.kind,
                                have.create, spec.create));
}

}  // namespace

result<void> merge_spec(std::vector<field_spec>& into, const field_spec& spec, std::string_view list) {
  return merge_specs(into, {spec}, list);
}

result<void> merge_specs(std::vector<field_spec>& into, const std::vector<field_spec>& more, std::string_view list) {
  // The specs of each path, in list order: kustomize compares with the first that matches.
  std::unordered_map<std::string, std::vector<std::size_t>> by_path;
  for (std::size_t i = 0; i < into.size(); ++i) by_path[into[i].path].push_back(i);
  for (const auto& spec : more) {
    auto& same_path = by_path[spec.path];
    auto hit = std::find_if(same_path.begin(), same_path.end(),
                            [&](std::size_t i) { return into[i].selector.selected_by(spec.selector); });
    if (hit != same_path.end()) {
      if (into[*hit].create != spec.create) return conflict(into[*hit], spec, list);
      continue;
    }
    same_path.push_back(into.size());
    into.push_back(spec);
  }
  return {};
}

result<void> merge_config(transformer_config& into, const transformer_config& more) {
  for (const auto& [name, list] : spec_lists())
    if (auto r = merge_specs(into.*list, more.*list, name); !r) return r;
  for (const auto& refs : more.name_reference) {
    auto it = std::find_if(into.name_reference.begin(), into.name_reference.end(),
                           [&](const name_back_refs& n) { return n.target == refs.target; });
    if (it == into.name_reference.end()) {
      into.name_reference.push_back(refs);
      continue;
    }
    if (auto r = merge_specs(it->referrers, refs.referrers, "nameReference"); !r) return r;
  }
  std::size_t total = 0;
  for (const auto& [name, list] : spec_lists()) total += (into.*list).size();
  for (const auto& refs : into.name_reference) total += 1 + refs.referrers.size();
  if (total > max_field_specs)
    return make_error(errc::limit_exceeded, fmt::format("the transformer configuration has more than {} field specs and name reference targets",
                                                        max_field_specs));
  sort_config(into);
  return {};
}

}  // namespace gitopsd::render::kustomize
