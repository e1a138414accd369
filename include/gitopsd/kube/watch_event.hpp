#pragma once
// One line of a watch stream: {"type": "ADDED", "object": {...}}. ERROR lines carry a
// metav1.Status and become typed errors (410 Gone: the resourceVersion is too old, list again).

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <optional>
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

// What a watch does once its request ended.
enum class watch_step {
  resume,       // the server ended it (timeoutSeconds): watch again from the last resourceVersion
  relist,       // 410 Gone: that resourceVersion is too old, list again
  retry_later,  // a transient failure (connection, 5xx, a silent connection): resume after a pause
  stop,         // cancelled, or an answer no retry can change (403, a malformed response)
};

// `failure` is empty when the request ended without error; `in_stream` when the error came from
// the stream's content (an ERROR line or an unreadable event), not from the request itself.
watch_step after_watch_ended(const std::optional<error>& failure, bool in_stream);

}  // namespace gitopsd::kube
