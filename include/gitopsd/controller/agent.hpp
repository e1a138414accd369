#pragma once
// `gitopsd run`: watches GitRepository objects and reconciles each on its schedule, serves
// /healthz, /readyz and /metrics, elects a leader when asked, and shuts down on SIGTERM.

#include "gitopsd/controller/tenancy.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/render/render.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

namespace gitopsd::controller {

struct agent_options {
  std::string kubeconfig;  // empty: $KUBECONFIG, in-cluster, ~/.kube/config
  std::string http_addr = ":8080";
  std::string webhook_addr;  // empty: no webhook listener
  std::filesystem::path cache_dir = "/tmp/gitopsd-cache";
  std::string watch_namespace;  // empty: all
  std::string watch_label_selector;
  std::size_t concurrent = 4;
  std::size_t in_flight = 64;  // API requests per reconcile: the transport's whole default cap
  double kube_api_qps = 5000;   // client-side rate limit; 0: none (API Priority and Fairness only)
  int kube_api_burst = 10000;
  bool allow_file_urls = false;
  bool leader_elect = false;
  std::string leader_election_namespace;  // empty: the configuration's namespace
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
  // SIGTERM: running reconciles may finish for this long; then they are cancelled.
  std::chrono::seconds shutdown_grace{30};
  // With watches on every kind of its inventory, a GitRepository's unchanged commit gets the full
  // dry run only this often (a new commit applies at once). Zero: every interval.
  std::chrono::seconds drift_resync{3600};
  render::options render;  // budgets of each reconcile's render
  git::tree_limits git_tree;  // and of its Git source
  git::git_budget git_budget;
  tenancy_policy tenancy;
};

// What /readyz answers from. Every replica is Ready, or `helm install --wait` and rolling updates
// of a Deployment with a standby never finish: the working one once its GitRepository cache is
// synced, a standby once it has read the Lease (it reaches the API server and can take over).
struct readiness {
  bool stopping = false;
  bool working = false;  // leading, or no leader election
  bool synced = false;   // the GitRepository cache
  bool lease_observed = false;
};
bool is_ready(const readiness& r);

// Runs until SIGTERM or SIGINT; returns the process exit code.
int run_agent(const agent_options& options);

}  // namespace gitopsd::controller
