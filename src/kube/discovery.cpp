#include "gitopsd/kube/discovery.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::kube {

result<std::vector<resource_info>> parse_resource_list(std::string_view body, std::string_view group,
                                                       std::string_view version) {
  auto doc = json::parse(body);
  const rapidjson::Value* resources = doc ? json::find(*doc, "resources") : nullptr;
  if (resources == nullptr || !resources->IsArray())
    return make_error(errc::malformed_response,
                      fmt::format("discovery of {}{}{}: not an APIResourceList", group, group.empty() ? "" : "/",
                                  version));
  std::vector<resource_info> out;
  for (const auto& r : resources->GetArray()) {
    auto name = json::get_string(r, "name");
    auto kind = json::get_string(r, "kind");
    if (!name || !kind || name->find('/') != std::string_view::npos) continue;
    resource_info info{std::string(group), std::string(version), std::string(*kind), std::string(*name),
                       json::get_bool(r, "namespaced").value_or(false), {}};
    if (const auto* verbs = json::find(r, "verbs"); verbs != nullptr && verbs->IsArray())
      for (const auto& v : verbs->GetArray())
        if (v.IsString()) info.verbs.emplace_back(json::view(v));
    out.push_back(std::move(info));
  }
  return out;
}

const resource_info* find_kind(const std::vector<resource_info>& resources, std::string_view kind) {
  for (const auto& r : resources)
    if (r.kind == kind) return &r;
  return nullptr;
}

}  // namespace gitopsd::kube
