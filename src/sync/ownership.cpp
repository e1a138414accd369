#include "gitopsd/sync/ownership.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/core/text.hpp"

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

void stamp_source(rapidjson::Document& object, std::string_view origin) {
  auto& a = object.GetAllocator();
  auto& annotations = json::ensure_object(json::ensure_object(object, "metadata", a), "annotations", a);
  json::set_string(annotations, source_annotation, cut_utf8(std::string(origin), 512), a);
}

bool is_owned_by(const rapidjson::Value& live, const owner& who, const object_ref& ref) {
  return json::get_string(live, "metadata", "labels", owner_name_label) == who.name &&
         json::get_string(live, "metadata", "labels", owner_namespace_label) == who.namespace_ &&
         json::get_string(live, "metadata", "annotations", tracking_annotation) ==
             tracking_id(who.namespace_, who.name, ref);
}

namespace {

// The owner part of a tracking id: "<ns>/<name>" before the first ':'; the whole id when it has
// no such part (written by hand).
std::string_view owner_of_tracking_id(std::string_view id) {
  auto colon = id.find(':');
  return colon == std::string_view::npos ? id : id.substr(0, colon);
}

}  // namespace

claim_decision decide_claim(const rapidjson::Value* live, const owner& who, const object_ref& ref, bool adopt_all) {
  claim_decision out;
  if (live == nullptr) return out;
  const std::string ours = who.namespace_ + "/" + who.name;
  auto annotation = [&](const char* key) { return json::get_string(*live, "metadata", "annotations", key); };
  if (auto id = annotation(tracking_annotation); id && !id->empty()) {
    if (*id == tracking_id(who.namespace_, who.name, ref)) {
      out.verdict = claim::ours;
      out.mark_adopted = annotation(adopted_annotation) == adopt_value;
      return out;
    }
    if (auto owner = owner_of_tracking_id(*id); owner != ours) {
      out.verdict = claim::other_owner;
      out.current_owner = owner;
      return out;
    }
  } else if (auto name = json::get_string(*live, "metadata", "labels", owner_name_label); name && !name->empty()) {
    // Owner labels without a tracking id: still another GitRepository's when they name one.
    auto ns = json::get_string(*live, "metadata", "labels", owner_namespace_label).value_or("");
    std::string labelled = std::string(ns) + "/" + std::string(*name);
    if (labelled != ours) {
      out.verdict = claim::other_owner;
      out.current_owner = std::move(labelled);
      return out;
    }
  }
  if (adopt_all || annotation(adopt_annotation) == adopt_value) {
    out.verdict = claim::adopt;
    out.mark_adopted = true;
    return out;
  }
  out.verdict = claim::unmarked;
  return out;
}

bool never_pruned_when_adopted(const group_version_kind& gvk) {
  return (gvk.group.empty() && gvk.kind == "Namespace") ||
         (gvk.group == "apiextensions.k8s.io" && gvk.kind == "CustomResourceDefinition");
}

prune_verdict decide_prune(const rapidjson::Value& live, const owner& who, const object_ref& ref) {
  if (!is_owned_by(live, who, ref)) return prune_verdict::keep_not_ours;
  if (is_disabled(live, prune_annotation)) return prune_verdict::keep_disabled;
  if (never_pruned_when_adopted(ref.gvk) &&
      json::get_string(live, "metadata", "annotations", adopted_annotation) == adopt_value)
    return prune_verdict::orphan_adopted;
  return prune_verdict::remove;
}

bool is_disabled(const rapidjson::Value& object, const char* key) {
  return json::get_string(object, "metadata", "annotations", key) == disabled_value;
}

}  // namespace gitopsd::sync
