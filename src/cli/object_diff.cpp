#include "gitopsd/cli/object_diff.hpp"

#include "gitopsd/cli/unified_diff.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <fmt/format.h>

#include <set>

namespace gitopsd::cli {

void strip_server_fields(rapidjson::Value& object) {
  if (!object.IsObject()) return;
  object.RemoveMember("status");
  auto metadata = object.FindMember("metadata");
  if (metadata == object.MemberEnd() || !metadata->value.IsObject()) return;
  for (const char* key : {"managedFields", "resourceVersion", "generation", "uid", "creationTimestamp"})
    metadata->value.RemoveMember(key);
  // Where in Git an object came from is named relative to what was rendered (a folder given to
  // diff, or the repository root for the agent): comparing it would show a difference of naming.
  auto annotations = metadata->value.FindMember("annotations");
  if (annotations == metadata->value.MemberEnd() || !annotations->value.IsObject()) return;
  annotations->value.RemoveMember(sync::source_annotation);
  if (annotations->value.ObjectEmpty()) metadata->value.RemoveMember("annotations");
}

namespace {

constexpr const char* last_applied = "kubectl.kubernetes.io/last-applied-configuration";

bool is_secret(const rapidjson::Document* object) {
  return object != nullptr && object->IsObject() && json::get_string(*object, "apiVersion") == "v1" &&
         json::get_string(*object, "kind") == "Secret";
}

// The member `key` of `parent` when `parent` is an object.
rapidjson::Value* member(rapidjson::Value* parent, const char* key) {
  if (parent == nullptr || !parent->IsObject()) return nullptr;
  auto it = parent->FindMember(key);
  return it == parent->MemberEnd() ? nullptr : &it->value;
}

// Masks every value of the maps `a` and `b` (either may be null), comparing them key by key.
void mask_map(rapidjson::Value* a, rapidjson::Document::AllocatorType* a_alloc, rapidjson::Value* b,
              rapidjson::Document::AllocatorType* b_alloc) {
  auto value_of = [](rapidjson::Value* map, std::string_view key) -> const rapidjson::Value* {
    if (map == nullptr || !map->IsObject()) return nullptr;
    auto it = map->FindMember(rapidjson::StringRef(key.data(), key.size()));
    return it == map->MemberEnd() ? nullptr : &it->value;
  };
  std::set<std::string> keys;
  for (auto* map : {a, b})
    if (map != nullptr && map->IsObject())
      for (const auto& m : map->GetObject()) keys.emplace(json::view(m.name));
  for (const auto& key : keys) {
    const auto* va = value_of(a, key);
    const auto* vb = value_of(b, key);
    bool changed = va != nullptr && vb != nullptr && *va != *vb;
    if (va != nullptr) json::set_string(*a, key, changed ? masked_before : masked, *a_alloc);
    if (vb != nullptr) json::set_string(*b, key, changed ? masked_after : masked, *b_alloc);
  }
  // A map that is not an object (malformed) is masked whole.
  if (a != nullptr && !a->IsObject()) a->SetString(masked, *a_alloc);
  if (b != nullptr && !b->IsObject()) b->SetString(masked, *b_alloc);
}

}  // namespace

void mask_secret_values(rapidjson::Document* live, rapidjson::Document* merged) {
  if (!is_secret(live)) live = nullptr;
  if (!is_secret(merged)) merged = nullptr;
  if (live == nullptr && merged == nullptr) return;
  auto* live_alloc = live != nullptr ? &live->GetAllocator() : nullptr;
  auto* merged_alloc = merged != nullptr ? &merged->GetAllocator() : nullptr;
  for (const char* field : {"data", "stringData"}) mask_map(member(live, field), live_alloc, member(merged, field), merged_alloc);
  // The annotation as a one-key map of each side's annotations.
  auto* live_annotations = member(member(live, "metadata"), "annotations");
  auto* merged_annotations = member(member(merged, "metadata"), "annotations");
  auto only = [](rapidjson::Value* annotations, rapidjson::Document::AllocatorType* alloc, rapidjson::Value& out) {
    out.SetObject();
    if (auto* v = member(annotations, last_applied)) out.AddMember(rapidjson::StringRef(last_applied), *v, *alloc);
  };
  rapidjson::Value live_one, merged_one;
  if (live != nullptr) only(live_annotations, live_alloc, live_one);
  if (merged != nullptr) only(merged_annotations, merged_alloc, merged_one);
  mask_map(live != nullptr ? &live_one : nullptr, live_alloc, merged != nullptr ? &merged_one : nullptr, merged_alloc);
  // A side that is absent (a new object) left its one-key map null: nothing to put back there.
  auto put_back = [](rapidjson::Value* annotations, rapidjson::Value& one) {
    if (annotations == nullptr || !annotations->IsObject() || !one.IsObject()) return;
    auto it = one.FindMember(last_applied);
    if (it != one.MemberEnd()) annotations->FindMember(last_applied)->value = it->value;
  };
  put_back(live_annotations, live_one);
  put_back(merged_annotations, merged_one);
}

std::string diff_path(const object_ref& ref) {
  std::string out = ref.gvk.api_version() + "/" + ref.gvk.kind + "/";
  if (!ref.namespace_.empty()) out += ref.namespace_ + "/";
  return out + ref.name;
}

std::string object_diff(const object_ref& ref, const rapidjson::Value* live, const rapidjson::Value* merged) {
  auto prepare = [](const rapidjson::Value* v) -> std::unique_ptr<rapidjson::Document> {
    if (v == nullptr) return nullptr;
    auto doc = std::make_unique<rapidjson::Document>();
    doc->CopyFrom(*v, doc->GetAllocator());
    strip_server_fields(*doc);
    return doc;
  };
  auto a = prepare(live);
  auto b = prepare(merged);
  mask_secret_values(a.get(), b.get());
  auto hunks = unified_diff(a ? split_lines(render::to_yaml(*a)) : std::vector<std::string>{},
                            b ? split_lines(render::to_yaml(*b)) : std::vector<std::string>{});
  if (hunks.empty()) return {};
  std::string path = diff_path(ref);
  return fmt::format("--- live/{}\n+++ merged/{}\n", path, path) + format_hunks(hunks);
}

std::string colorize_diff(const std::string& diff) {
  std::string out;
  for (const auto& line : split_lines(diff)) {
    const char* color = "";
    if (line.starts_with("---") || line.starts_with("+++")) color = "\033[1m";
    else if (line.starts_with("@@")) color = "\033[36m";
    else if (line.starts_with("-")) color = "\033[31m";
    else if (line.starts_with("+")) color = "\033[32m";
    if (*color != '\0') out += fmt::format("{}{}\033[0m\n", color, line);
    else out += line + "\n";
  }
  return out;
}

}  // namespace gitopsd::cli
