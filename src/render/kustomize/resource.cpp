#include "model.hpp"

#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

namespace gitopsd::render::kustomize {

res_id resource::cur() const {
  return {gvk::of(obj), std::string(json::get_string(obj, "metadata", "name").value_or("")),
          std::string(json::get_string(obj, "metadata", "namespace").value_or(""))};
}

std::string resource::name() const { return std::string(json::get_string(obj, "metadata", "name").value_or("")); }

void resource::set_name(std::string_view name) {
  auto& meta = json::ensure_object(obj, "metadata", obj.GetAllocator());
  json::set_string(meta, "name", name, obj.GetAllocator());
}

std::string resource::describe() const {
  res_id id = cur();
  if (id.ns.empty()) return fmt::format("{}/{}", id.type.kind, id.name);
  return fmt::format("{}/{} in namespace {}", id.type.kind, id.name, id.ns);
}

void append_pointer(std::string& pointer, std::string_view key) {
  pointer += '/';
  for (char c : key) {
    if (c == '~') pointer += "~0";
    else if (c == '/') pointer += "~1";
    else pointer += c;
  }
}

}  // namespace gitopsd::render::kustomize
