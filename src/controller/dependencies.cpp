#include "gitopsd/controller/dependencies.hpp"

#include "gitopsd/controller/status.hpp"
#include "gitopsd/core/json.hpp"

#include <algorithm>

namespace gitopsd::controller {
namespace {

const rapidjson::Value* ready_condition(const rapidjson::Value& gitrepository) {
  const auto* conditions = json::find(gitrepository, "status", "conditions");
  if (conditions == nullptr || !conditions->IsArray()) return nullptr;
  for (const auto& c : conditions->GetArray())
    if (json::get_string(c, "type") == "Ready") return &c;
  return nullptr;
}

}  // namespace

std::vector<std::string> dependency_keys(const rapidjson::Value& gitrepository) {
  std::vector<std::string> out;
  const auto* deps = json::find(gitrepository, "spec", "dependsOn");
  if (deps == nullptr || !deps->IsArray()) return out;
  std::string own = std::string(json::get_string(gitrepository, "metadata", "namespace").value_or(""));
  for (const auto& d : deps->GetArray()) {
    auto name = json::get_string(d, "name");
    if (!name || name->empty()) continue;
    out.push_back(std::string(json::get_string(d, "namespace").value_or(own)) + "/" + std::string(*name));
  }
  return out;
}

bool ready_for_dependents(const rapidjson::Value& gitrepository) {
  const auto* ready = ready_condition(gitrepository);
  if (ready == nullptr || json::get_string(*ready, "status") != "True") return false;
  auto generation = json::get_int(gitrepository, "metadata", "generation");
  return generation && json::get_int(gitrepository, "status", "observedGeneration") == generation;
}

bool waiting_on_dependency(const rapidjson::Value& gitrepository) {
  const auto* ready = ready_condition(gitrepository);
  return ready != nullptr && json::get_string(*ready, "reason") == reason::dependency_not_ready;
}

void dependency_index::update(const std::string& key, const std::vector<std::string>& dependencies) {
  if (auto old = dependencies_.find(key); old != dependencies_.end()) {
    for (const auto& d : old->second) {
      auto it = dependents_.find(d);
      if (it == dependents_.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) dependents_.erase(it);
    }
    dependencies_.erase(old);
  }
  if (dependencies.empty()) return;
  for (const auto& d : dependencies) dependents_[d].insert(key);
  dependencies_[key] = dependencies;
}

std::vector<std::string> dependency_index::dependents_of(const std::string& dependency) const {
  auto it = dependents_.find(dependency);
  if (it == dependents_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace gitopsd::controller
