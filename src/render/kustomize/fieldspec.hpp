#pragma once
// Internal: kustomize "field specs" (which field of which kinds a transformer touches) and the
// built-in tables kustomize v5 ships (labels, annotations, images, name references, ...).

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

struct gvk {
  std::string group, version, kind;
  static gvk of(const rapidjson::Value& object);
  // "group/version", or "version" in the core group.
  [[nodiscard]] std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  // Empty selector fields match anything.
  [[nodiscard]] bool selected_by(const gvk& selector) const;
  bool operator==(const gvk&) const = default;
};

// kustomize's order of types: its legacy kind ranks, then group, version and kind as text.
int kind_rank(const std::string& kind);
std::string gvk_sort_key(const gvk& g);
bool gvk_less(const gvk& x, const gvk& y);

struct field_spec {
  gvk selector;
  std::string path;  // "spec/template/metadata/labels"; "\/" escapes a slash inside a key
  bool create = false;
};

struct name_reference {
  gvk target;     // the kind whose name is referenced
  gvk referrer;   // the kind holding the reference
  std::string path;
};

// The varReference table (used with vars only; kept for kustomize's merge checks).
const std::vector<field_spec>& var_reference_specs();

const std::vector<field_spec>& common_label_specs();     // labels incl. selectors and templates
const std::vector<field_spec>& metadata_label_specs();   // metadata labels incl. templates
const std::vector<field_spec>& common_annotation_specs();
const std::vector<field_spec>& image_specs();
const std::vector<field_spec>& replica_specs();
const std::vector<name_reference>& name_references();
bool is_cluster_scoped(const gvk& g);

using alloc_t = rapidjson::Document::AllocatorType;
// What a field spec with `create` adds where its path is missing: nothing (a transformer that
// never creates), a scalar (added as "") or a map. When creating, a null on the way becomes a map.
enum class create_as { nothing, scalar, map };
// kustomize's field spec walk: calls `fn(value)` for every place `path` reaches in `object` (lists
// are walked implicitly, a null ends the walk quietly, a "[]" segment is never created). A scalar
// on the way or an empty segment is an error, as in kustomize.
result<void> visit_path(rapidjson::Value& object, std::string_view path, create_as create, alloc_t& a,
                        const std::function<result<void>(rapidjson::Value& value)>& fn);

}  // namespace gitopsd::render::kustomize
