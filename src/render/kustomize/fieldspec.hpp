#pragma once
// Internal: kustomize "field specs" (which field of which kinds a transformer touches) and the
// built-in tables kustomize v5 ships (labels, annotations, images, name references, ...).

#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

struct gvk {
  std::string group, version, kind;
  static gvk of(const rapidjson::Value& object);
  // Empty selector fields match anything.
  [[nodiscard]] bool selected_by(const gvk& selector) const;
  bool operator==(const gvk&) const = default;
};

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

const std::vector<field_spec>& common_label_specs();     // labels incl. selectors and templates
const std::vector<field_spec>& metadata_label_specs();   // metadata labels incl. templates
const std::vector<field_spec>& common_annotation_specs();
const std::vector<field_spec>& image_specs();
const std::vector<field_spec>& replica_specs();
const std::vector<name_reference>& name_references();
bool is_cluster_scoped(const gvk& g);

using alloc_t = rapidjson::Document::AllocatorType;
// Calls `fn(parent, key)` for every place the path reaches in `object` (lists are walked
// implicitly). When `create`, missing maps on the way and the final field are added (as null).
void visit_path(rapidjson::Value& object, std::string_view path, bool create, alloc_t& a,
                const std::function<void(rapidjson::Value& parent, rapidjson::Value& value)>& fn);

}  // namespace gitopsd::render::kustomize
