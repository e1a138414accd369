#pragma once
// `gitopsd reconcile NAME [--wait] [--timeout]`, `gitopsd suspend NAME`, `gitopsd resume NAME`:
// requests go through the object (spec.suspend, the gitopsd.io/requestedAt annotation), so they
// need only the right to patch GitRepository objects, never access to the agent.

#include "gitopsd/cli/kube_command.hpp"

#include <chrono>

namespace gitopsd::cli {

struct reconcile_options {
  std::string name;
  bool wait = false;
  std::chrono::seconds timeout{300};
};

int run_reconcile(const kube_flags& flags, const reconcile_options& options);
int run_suspend(const kube_flags& flags, const std::string& name);
// Resuming also requests a reconcile, so the agent acts at once instead of at the next interval.
int run_resume(const kube_flags& flags, const reconcile_options& options);

}  // namespace gitopsd::cli
