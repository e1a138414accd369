#include "gitopsd/sync/ownership.hpp"

#include "gitopsd/core/json.hpp"

namespace gitopsd::sync {

std::string owner_selector(const owner& who) {
  return std::string(owner_name_label) + "=" + who.name + "," + owner_namespace_label + "=" + who.namespace_;
}

void stamp_owner(rapidjson::Document& object, const owner& who, const object_ref& ref) {
  auto& a = object.GetAllocator();
  auto& metadata = json::ensure_object(object, "metadata", a);
  auto& labels = json::ensure_object(metadata, "labels", a);
  json::set_string(labels, owner_name_label, who.name, a);
  json::set_string(labels, owner_namespace_label, who.namespace_, a);
  auto& annotations = json::ensure_object(metadata, "annotations", a);
  json::set_string(annotations, tracking_annotation, tracking_id(who.namespace_, who.name, ref), a);
}

bool is_owned_by(const rapidjson::Value& live, const owner& who, const object_ref& ref) {
  return json::get_string(live, "metadata", "labels", owner_name_label) == who.name &&
         json::get_string(live, "metadata", "labels", owner_namespace_label) == who.namespace_ &&
         json::get_string(live, "metadata", "annotations", tracking_annotation) ==
             tracking_id(who.namespace_, who.name, ref);
}

bool is_disabled(const rapidjson::Value& object, const char* key) {
  return json::get_string(object, "metadata", "annotations", key) == disabled_value;
}

}  // namespace gitopsd::sync
