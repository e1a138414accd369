#include "gitopsd/sync/inventory.hpp"

#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace gitopsd::sync {

std::vector<inventory_entry> inventory_of(const std::vector<planned_object>& objects) {
  std::vector<inventory_entry> out;
  out.reserve(objects.size());
  for (const auto& o : objects) out.push_back({o.ref.inventory_id(), o.ref.gvk.version});
  std::sort(out.begin(), out.end());
  return out;
}

result<std::vector<inventory_entry>> read_inventory(const rapidjson::Value& status) {
  std::vector<inventory_entry> out;
  const rapidjson::Value* entries = json::find(status, "inventory", "entries");
  if (entries == nullptr) return out;
  if (!entries->IsArray()) return make_error(core::errc::wrong_type, "status.inventory.entries is not a list");
  for (const auto& e : entries->GetArray()) {
    auto id = json::get_string(e, "id");
    auto v = json::get_string(e, "v");
    if (!id || !v) return make_error(core::errc::missing_field, "status.inventory entry without id or v");
    if (auto ref = parse_inventory_id(*id); !ref) return ref.error();
    out.push_back({std::string(*id), std::string(*v)});
  }
  return out;
}

rapidjson::Value inventory_json(const std::vector<inventory_entry>& entries, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& e : entries) {
    rapidjson::Value item(rapidjson::kObjectType);
    item.AddMember("id", rapidjson::Value(e.id.c_str(), a), a);
    item.AddMember("v", rapidjson::Value(e.version.c_str(), a), a);
    list.PushBack(item, a);
  }
  rapidjson::Value out(rapidjson::kObjectType);
  out.AddMember("entries", list, a);
  return out;
}

std::vector<object_ref> stale_objects(const std::vector<inventory_entry>& previous,
                                      const std::vector<inventory_entry>& next) {
  std::set<std::string> keep;
  for (const auto& e : next) keep.insert(e.id);
  std::vector<object_ref> out;
  for (const auto& e : previous) {
    if (keep.contains(e.id)) continue;
    auto ref = parse_inventory_id(e.id);
    if (!ref) continue;  // read_inventory already refused malformed ids
    ref->gvk.version = e.version;
    out.push_back(std::move(*ref));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const object_ref& a, const object_ref& b) { return stage_of(a.gvk) > stage_of(b.gvk); });
  return out;
}

}  // namespace gitopsd::sync
