#include "gitopsd/controller/status.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/core/text.hpp"

#include <fmt/chrono.h>

#include <chrono>

namespace gitopsd::controller {
namespace {

using allocator = rapidjson::Document::AllocatorType;

struct condition {
  const char* type;
  const char* status;
  std::string reason;
  std::string message;
};

// Kubernetes caps condition messages at 32 KiB; keep well below.
std::string bounded(std::string message, std::size_t limit = 4096) { return cut_utf8(std::move(message), limit); }

std::string previous_transition(const rapidjson::Value* current, std::string_view type, std::string_view status) {
  if (current == nullptr) return {};
  const rapidjson::Value* conditions = json::find(*current, "conditions");
  if (conditions == nullptr || !conditions->IsArray()) return {};
  for (const auto& c : conditions->GetArray())
    if (json::get_string(c, "type") == type && json::get_string(c, "status") == status)
      return std::string(json::get_string(c, "lastTransitionTime").value_or(""));
  return {};
}

std::vector<condition> conditions_for(const status_update& u) {
  switch (u.state) {
    case phase::progressing:
      return {{"Ready", "Unknown", u.reason.empty() ? reason::progressing : u.reason, u.message},
              {"Reconciling", "True", u.reason.empty() ? reason::progressing : u.reason, u.message}};
    case phase::succeeded:
      return {{"Ready", "True", reason::succeeded, u.message}};
    case phase::failed:
      return {{"Ready", "False", u.reason, u.message},
              {"Reconciling", "True", reason::progressing_with_retry, u.message}};
    case phase::stalled:
      return {{"Ready", "False", u.reason, u.message}, {"Stalled", "True", u.reason, u.message}};
  }
  return {};
}

void add_string(rapidjson::Value& object, const char* key, std::string_view value, allocator& a) {
  object.AddMember(rapidjson::StringRef(key), rapidjson::Value(value.data(), static_cast<rapidjson::SizeType>(value.size()), a), a);
}

}  // namespace

rapidjson::Document status_patch(const status_update& u, const rapidjson::Value* current, std::string_view now) {
  rapidjson::Document patch(rapidjson::kObjectType);
  auto& a = patch.GetAllocator();
  rapidjson::Value status(rapidjson::kObjectType);
  status.AddMember("observedGeneration", u.observed_generation, a);

  rapidjson::Value list(rapidjson::kArrayType);
  for (const auto& c : conditions_for(u)) {
    rapidjson::Value item(rapidjson::kObjectType);
    add_string(item, "type", c.type, a);
    add_string(item, "status", c.status, a);
    item.AddMember("observedGeneration", u.observed_generation, a);
    std::string since = previous_transition(current, c.type, c.status);
    add_string(item, "lastTransitionTime", since.empty() ? now : since, a);
    add_string(item, "reason", c.reason, a);
    add_string(item, "message", bounded(c.message), a);
    list.PushBack(item, a);
  }
  // A merge patch replaces the whole list, which drops the conditions that no longer hold.
  status.AddMember("conditions", list, a);

  if (u.last_attempted_revision) add_string(status, "lastAttemptedRevision", *u.last_attempted_revision, a);
  if (u.last_applied_revision) add_string(status, "lastAppliedRevision", *u.last_applied_revision, a);
  if (u.handled_requested_at) add_string(status, "lastHandledReconcileAt", *u.handled_requested_at, a);
  if (u.verified_by) {
    if (u.verified_by->empty()) status.AddMember("verifiedBy", rapidjson::Value(rapidjson::kNullType), a);
    else add_string(status, "verifiedBy", bounded(*u.verified_by), a);
  }
  if (u.last_applied_commit) {
    // Author and subject come from Git: cut, so a long first line cannot fill the object.
    rapidjson::Value commit(rapidjson::kObjectType);
    add_string(commit, "author", bounded(u.last_applied_commit->author, 256), a);
    add_string(commit, "subject", bounded(u.last_applied_commit->subject, 256), a);
    if (!u.last_applied_commit->time.empty()) add_string(commit, "time", u.last_applied_commit->time, a);
    status.AddMember("lastAppliedCommit", commit, a);
  }
  if (u.inventory) status.AddMember("inventory", sync::inventory_json(*u.inventory, a), a);
  patch.AddMember("status", status, a);
  return patch;
}

std::string rfc3339_now() {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

std::string rfc3339(std::int64_t seconds_since_epoch) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", std::chrono::sys_seconds(std::chrono::seconds(seconds_since_epoch)));
}

}  // namespace gitopsd::controller
