#pragma once
// dependsOn from the watch's side: which GitRepositories wait for which, so that a dependency
// turning Ready starts its waiting dependents at once instead of one retryInterval later.

#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace gitopsd::controller {

// "namespace/name" of each spec.dependsOn entry (the namespace defaults to the object's own).
std::vector<std::string> dependency_keys(const rapidjson::Value& gitrepository);

// Ready=True at its current generation: what a dependent checks.
bool ready_for_dependents(const rapidjson::Value& gitrepository);

// Its last reconcile stopped on a dependency that was not ready (Ready reason DependencyNotReady).
bool waiting_on_dependency(const rapidjson::Value& gitrepository);

class dependency_index {
 public:
  // `key` now depends on `dependencies` (replacing what it depended on before).
  void update(const std::string& key, const std::vector<std::string>& dependencies);
  void remove(const std::string& key) { update(key, {}); }
  [[nodiscard]] std::vector<std::string> dependents_of(const std::string& dependency) const;
  [[nodiscard]] std::size_t tracked() const { return dependents_.size(); }

 private:
  std::map<std::string, std::set<std::string>> dependents_;  // dependency -> its dependents
  std::map<std::string, std::vector<std::string>> dependencies_;  // dependent -> what it named
};

}  // namespace gitopsd::controller
