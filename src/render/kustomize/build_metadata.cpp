#include "build_metadata.hpp"

#include "transforms.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::render::kustomize {

result<void> apply_build_metadata(resmap& ra, const kustomization& top) {
  const auto& opts = top.build_metadata;
  auto has = [&](std::string_view o) { return std::find(opts.begin(), opts.end(), o) != opts.end(); };
  for (std::string_view o : {"originAnnotations", "transformerAnnotations"})
    if (has(o)) return unsupported_error(top.file, fmt::format("buildMetadata \"{}\" is not supported by gitopsd", o));
  if (has("managedByLabel")) {
    // The release gitopsd's kustomize follows, as kustomize writes its own version.
    static const std::vector<field_spec> labels = {{{}, "metadata/labels", true}};
    add_pairs(ra, {{"app.kubernetes.io/managed-by", "kustomize-v5.8.1"}}, labels);
  }
  return {};
}

void drop_empty_annotations(resmap& ra) {
  for (auto& r : ra) {
    if (!r.obj.IsObject()) continue;
    auto m = r.obj.FindMember("metadata");
    if (m == r.obj.MemberEnd() || !m->value.IsObject()) continue;
    auto* meta = &m->value;
    auto it = meta->FindMember("annotations");
    if (it == meta->MemberEnd()) continue;
    if (it->value.IsNull() || (it->value.IsObject() && it->value.MemberCount() == 0)) meta->EraseMember(it);
  }
}

}  // namespace gitopsd::render::kustomize
