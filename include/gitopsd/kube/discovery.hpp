#pragma once
// What the API server serves for one group/version: kind -> resource plural and scope.

#include "gitopsd/core/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::kube {

struct resource_info {
  std::string group;
  std::string version;
  std::string kind;
  std::string plural;  // the URL segment: "deployments"
  bool namespaced = false;
  std::vector<std::string> verbs;
};

// Parses an APIResourceList (GET /api/v1, /apis/<group>/<version>); subresources are skipped.
result<std::vector<resource_info>> parse_resource_list(std::string_view body, std::string_view group,
                                                       std::string_view version);

const resource_info* find_kind(const std::vector<resource_info>& resources, std::string_view kind);

}  // namespace gitopsd::kube
