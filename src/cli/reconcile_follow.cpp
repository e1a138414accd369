#include "gitopsd/cli/reconcile_follow.hpp"

#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

namespace gitopsd::cli {

follow_update follow(const rapidjson::Value& object, follow_state& state) {
  follow_update u;
  auto handled = json::get_string(object, "status", "lastHandledReconcileAt").value_or("");
  auto generation = json::get_int(object, "metadata", "generation").value_or(0);
  auto observed = json::get_int(object, "status", "observedGeneration").value_or(0);
  if (handled == state.requested_at && observed >= generation) {
    u.done = true;
    u.ready = condition_field(object, "Ready", "status") == "True";
    auto reason = condition_field(object, "Ready", "reason");
    auto message = condition_field(object, "Ready", "message");
    u.result = one_line(message.empty() ? reason : fmt::format("{}: {}", reason, message));
    return u;
  }
  // Only progress messages are steps: a Reconciling condition with another reason carries the
  // previous run's failure, which is not news about this request.
  if (condition_field(object, "Reconciling", "status") != "True" ||
      condition_field(object, "Reconciling", "reason") != "Progressing")
    return u;
  // Status text reaches the terminal: one line, no control or bidi characters.
  auto step = one_line(condition_field(object, "Reconciling", "message"), 500);
  if (step.empty() || step == state.last_step) return u;
  state.last_step = step;
  u.step = step;
  return u;
}

std::optional<std::string> refuse_reconcile(const rapidjson::Value& object) {
  if (!json::get_bool(object, "spec", "suspend").value_or(false)) return std::nullopt;
  return fmt::format("GitRepository {}/{} is suspended: resume it to reconcile",
                     json::get_string(object, "metadata", "namespace").value_or(""),
                     json::get_string(object, "metadata", "name").value_or(""));
}

}  // namespace gitopsd::cli
