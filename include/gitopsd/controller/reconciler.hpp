#pragma once
// One reconcile of one GitRepository: source -> render -> plan -> apply -> prune -> health ->
// status, each step a coroutine on the agent's event loop (Git and rendering on the thread pool).

#include "gitopsd/controller/drift_rules.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/controller/reconcile_rules.hpp"
#include "gitopsd/controller/secret_cache.hpp"
#include "gitopsd/controller/status.hpp"
#include "gitopsd/controller/tenancy.hpp"
#include "gitopsd/core/busy_watch.hpp"
#include "gitopsd/core/recording_tree.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/kube/client.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/server/metrics.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::controller {

struct reconciler_settings {
  bool allow_file_urls = false;
  std::size_t in_flight = 64;  // API requests one reconcile keeps in flight
  render::options render;      // per-reconcile render budgets (flags of `gitopsd run`)
  busy_watch* busy = nullptr;  // pool jobs are registered here with the reconcile's deadline
  tenancy_policy tenancy;
  git::tree_limits git_tree;  // per-reconcile Git budgets (flags of `gitopsd run`)
  git::git_budget git_budget;
  // Told of every object an apply wrote and the resourceVersion it got (for the drift watch).
  std::function<void(const object_ref&, const std::string&)> own_write;
  // True when the drift watches know that the owner has no object of this kind in this namespace
  // (its first sync then lists nothing).
  std::function<bool(const sync::owner&, const group_version_kind&, const std::string&)> owns_none;
  // Told when a reconcile of GitRepository "namespace/name" starts (true) and ends (false) its
  // health wait: meanwhile it holds no slot, and a webhook may cancel the wait.
  std::function<void(const std::string&, bool)> health_wait;
};

class reconciler {
 public:
  reconciler(kube::client client, git::source_cache& sources, boost::asio::thread_pool& pool, server::metrics& metrics,
             reconciler_settings settings);

  // Reconciles the object as the watch last saw it; true when it ended Ready (or had nothing to
  // do), false when it should be retried. `check`: watches cover drift, so a commit already
  // applied needs no render and no dry run this time (skip), or of only the objects that drifted
  // (drifted_only). `asked_at`: see schedule_item; none for a run the interval brought, which may
  // share a recent ref listing of its URL.
  boost::asio::awaitable<bool> reconcile(const rapidjson::Value& object, drift_check check,
                                         std::optional<std::chrono::steady_clock::time_point> asked_at);

  // The GitRepository "namespace/name" is gone: drop what was kept of its last render.
  void forget(const std::string& key);

 private:
  struct run;
  boost::asio::awaitable<bool> finalize(run& r, const rapidjson::Value& object);
  boost::asio::awaitable<bool> pipeline(run& r);
  // False when the API server did not take the write: the reconcile has failed.
  boost::asio::awaitable<bool> write_status(run& r, const status_update& update);
  boost::asio::awaitable<bool> progress(run& r, stage at, const std::string& message);
  boost::asio::awaitable<bool> report_failure(run& r, const std::string& reason, const std::string& message,
                                              phase state = phase::failed);
  boost::asio::awaitable<void> event(run& r, bool warning, const std::string& reason, const std::string& message);
  boost::asio::awaitable<bool> set_finalizer(run& r, const rapidjson::Value& object, bool present);
  void use_service_account(run& r);
  // Registers pool work of this reconcile with the watchdog when a pool thread starts it (called
  // there), allowed until the reconcile's deadline.
  std::function<busy_watch::ticket()> pool_job(const run& r, const char* what) const;
  // A Warning naming adopted Namespaces and CRDs that prune left in place.
  boost::asio::awaitable<void> orphaned_event(run& r, const std::vector<object_ref>& orphaned);

  // What the last applied render of each GitRepository read (recording_tree), and of which
  // revision: a later commit that changes none of it needs no render, dry run or apply.
  struct render_record {
    std::string revision;
    std::shared_ptr<const std::vector<tree_access>> reads;  // shared with a comparison on the pool
    std::size_t bytes = 0;
  };
  void remember_render(const std::string& key, const std::string& revision, std::optional<std::vector<tree_access>> reads);

  kube::client client_;
  git::source_cache& sources_;
  std::map<std::string, render_record> renders_;
  secret_cache credentials_;  // Git credentials Secrets (secretRef)
  std::size_t render_bytes_ = 0;
  boost::asio::thread_pool& pool_;
  server::metrics& metrics_;
  reconciler_settings settings_;
};

}  // namespace gitopsd::controller
