#pragma once
// One line of a watch stream: {"type": "ADDED", "object": {...}}. ERROR lines carry a
// metav1.Status and become typed errors (410 Gone: the resourceVersion is too old, list again).

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace gitopsd::kube {

struct watch_line {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  rapidjson::Document object;
  std::string resource_version;  // object's metadata.resourceVersion
};

// `subject` names the watch in error messages.
result<watch_line> parse_watch_line(std::string_view line, std::string_view subject);

}  // namespace gitopsd::kube
