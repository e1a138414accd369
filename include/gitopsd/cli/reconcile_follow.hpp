#pragma once
// `gitopsd reconcile --wait`: what to print as a GitRepository is read again and again after a
// request. The agent writes each step (fetching, applying N objects, pruning, waiting for health)
// as the message of the Reconciling condition with reason Progressing, and lastHandledReconcileAt
// when the request is done; this decides, from one reading, which step is new and whether the
// request is finished.

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace gitopsd::cli {

struct follow_state {
  std::string requested_at;  // the value this command wrote into gitopsd.io/requestedAt
  std::string last_step;     // the step printed last
};

struct follow_update {
  std::optional<std::string> step;  // a step not printed yet
  bool done = false;                // the request was handled at the object's generation
  bool ready = false;               // when done: Ready=True
  std::string result;               // when done: the Ready reason and message
};

// Advances `state.last_step` when it returns a step.
follow_update follow(const rapidjson::Value& object, follow_state& state);

// Why a reconcile cannot be requested now (a suspended object is never reconciled), or nothing.
std::optional<std::string> refuse_reconcile(const rapidjson::Value& object);

}  // namespace gitopsd::cli
