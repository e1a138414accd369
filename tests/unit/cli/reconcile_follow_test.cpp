#include "gitopsd/cli/reconcile_follow.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;

namespace {

// A GitRepository reading: generation 2, the given status.
rapidjson::Document reading(std::string_view status) {
  return json::parse(fmt::format(R"({{"metadata": {{"name": "app", "namespace": "n", "generation": 2}}, "status": {}}})", status)).value();
}

std::string progressing(std::string_view message, std::string_view handled = "old") {
  return fmt::format(R"({{"observedGeneration": 2, "lastHandledReconcileAt": "{}", "conditions": [
    {{"type": "Ready", "status": "Unknown", "reason": "Progressing", "message": "{}"}},
    {{"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "{}"}}]}})",
                     handled, message, message);
}

}  // namespace

TEST_CASE("reconcile --wait: each step is printed once, in order, then the result", "[cli]") {
  cli::follow_state state{"new", {}};
  auto u = cli::follow(reading(progressing("fetching branch main")), state);
  CHECK(u.step == "fetching branch main");
  CHECK_FALSE(u.done);
  CHECK_FALSE(cli::follow(reading(progressing("fetching branch main")), state).step);
  CHECK(cli::follow(reading(progressing("applying 3 objects of main@sha1:ab")), state).step == "applying 3 objects of main@sha1:ab");
  auto done = cli::follow(reading(R"({"observedGeneration": 2, "lastHandledReconcileAt": "new", "conditions": [
    {"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "applied main@sha1:ab"}]})"), state);
  CHECK(done.done);
  CHECK(done.ready);
  CHECK(done.result == "ReconciliationSucceeded: applied main@sha1:ab");
}

TEST_CASE("reconcile --wait: steps and the result from status reach the terminal as plain text", "[cli]") {
  cli::follow_state state{"new", {}};
  auto u = cli::follow(reading(progressing(R"(fetching\u001b[2J\nmain\u009b1m\u202e)")), state);
  CHECK(u.step == "fetching [2J main 1m ");
  CHECK(state.last_step == "fetching [2J main 1m ");  // the timeout message prints it too
  auto done = cli::follow(reading(R"({"observedGeneration": 2, "lastHandledReconcileAt": "new", "conditions": [
    {"type": "Ready", "status": "False", "reason": "ApplyFailed", "message": "bad\u001b]0;x\u0007"}]})"), state);
  CHECK(done.result == "ApplyFailed: bad ]0;x ");
}

TEST_CASE("reconcile --wait: the previous run's failure is not shown as a step of this request", "[cli]") {
  cli::follow_state state{"new", {}};
  auto u = cli::follow(reading(R"({"observedGeneration": 2, "lastHandledReconcileAt": "old", "conditions": [
    {"type": "Ready", "status": "False", "reason": "ApplyFailed", "message": "forbidden"},
    {"type": "Reconciling", "status": "True", "reason": "ProgressingWithRetry", "message": "forbidden"}]})"), state);
  CHECK_FALSE(u.step);
  CHECK_FALSE(u.done);
}

TEST_CASE("reconcile --wait: a failure ends the wait as not ready", "[cli]") {
  cli::follow_state state{"new", {}};
  auto u = cli::follow(reading(R"({"observedGeneration": 2, "lastHandledReconcileAt": "new", "conditions": [
    {"type": "Ready", "status": "False", "reason": "GitOperationFailed", "message": "no such branch"}]})"), state);
  CHECK(u.done);
  CHECK_FALSE(u.ready);
  CHECK(u.result == "GitOperationFailed: no such branch");
}

TEST_CASE("reconcile --wait: a handled request at an older generation is not the end", "[cli]") {
  cli::follow_state state{"new", {}};
  auto u = cli::follow(reading(R"({"observedGeneration": 1, "lastHandledReconcileAt": "new", "conditions": [
    {"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "old spec"}]})"), state);
  CHECK_FALSE(u.done);
}

TEST_CASE("reconcile: a suspended object is refused with a way out", "[cli]") {
  auto suspended = json::parse(R"({"metadata": {"name": "app", "namespace": "n"}, "spec": {"suspend": true}})").value();
  CHECK(cli::refuse_reconcile(suspended) == "GitRepository n/app is suspended: resume it to reconcile");
  auto active = json::parse(R"({"metadata": {"name": "app", "namespace": "n"}, "spec": {}})").value();
  CHECK_FALSE(cli::refuse_reconcile(active));
}
