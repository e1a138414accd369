#pragma once
// Drift repair from watches: one metadata-only watch per kind that some GitRepository's inventory
// holds (label gitopsd.io/name), kept while an inventory needs it. A change somebody else made to
// a managed object (deleted, spec changed, our marks removed) asks for a reconcile of its owner at
// once; the decisions are in drift_rules.hpp. Runs on the agent's event loop; no locks.

#include "gitopsd/controller/drift_rules.hpp"
#include "gitopsd/core/identity.hpp"
#include "gitopsd/kube/client.hpp"
#include "gitopsd/server/metrics.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gitopsd::controller {

struct drift_settings {
  std::string namespace_;  // empty: watch every namespace
  clock::duration resync = std::chrono::hours(1);  // zero: every periodic run does the full dry run
  int fight_limit = 5;
  std::size_t max_watches = 256;  // kinds watched at once (see kinds_to_watch)
  clock::duration fight_window = std::chrono::minutes(1);
};

class drift_watches {
 public:
  // `trigger` asks for a reconcile of the GitRepository "namespace/name" now; false when unknown.
  using trigger_fn = std::function<bool(const std::string& owner)>;
  drift_watches(boost::asio::any_io_executor executor, kube::client client, server::metrics& metrics,
                drift_settings settings, trigger_fn trigger);
  drift_watches(const drift_watches&) = delete;
  drift_watches& operator=(const drift_watches&) = delete;

  // The GitRepository `owner` as its watch last saw it: the kinds of its inventory are watched.
  void track(const std::string& owner, const rapidjson::Value& gitrepository);
  void untrack(const std::string& owner);

  // Called when a reconcile of `owner` starts: what it checks of an unchanged commit (consumes
  // the drift events seen since the last run).
  drift_check begin_reconcile(const std::string& owner, clock::time_point now);
  // `scope`: what begin_reconcile told that run.
  void end_reconcile(const std::string& owner, bool ok, check_scope scope, clock::time_point now);

  // Our own apply of `ref` got `resource_version` back: its watch event is not drift.
  void own_write(const object_ref& ref, const std::string& resource_version);

  // True when the watch of `gvk` is in sync and sees no object in `namespace_` that carries the
  // labels of `who`: a LIST of them would come back empty.
  [[nodiscard]] bool owns_none(const sync::owner& who, const group_version_kind& gvk, const std::string& namespace_) const;

  void stop();
  [[nodiscard]] std::size_t alive() const { return alive_; }

  struct kind_watch;

 private:
  struct owner_state {
    std::set<group_version_kind> kinds;
    std::unordered_set<std::string> ids;  // its inventory: only these objects may start its reconcile
    bool in_scope = true;  // every namespaced object of its inventory is in the watched namespace
    bool running = false;
    std::optional<clock::time_point> last_full;
    std::set<std::string> drifted;  // inventory ids drift events named since the last run
    bool drift_overflow = false;    // more than max_drifted: the next run checks everything
    // Changes seen while its reconcile ran, judged when it ends: the watch event of our own apply
    // may arrive before the apply's answer tells its resourceVersion.
    struct unconfirmed {
      group_version_kind gvk;
      std::string key;  // "namespace/name"
      std::string resource_version;
      drift_verdict why;
      std::string uid;
    };
    std::vector<unconfirmed> while_running;
  };

  void update_watches();
  void start(const group_version_kind& gvk);
  boost::asio::awaitable<void> run_watch(std::shared_ptr<kind_watch> w);
  void on_event(kind_watch& w, kube::watch_event& e);
  void on_change(kind_watch& w, const std::string& key, drift_change change, const rapidjson::Value* object);
  void correct(kind_watch& w, std::uint32_t owner, const std::string& key, drift_verdict why, std::string uid);
  std::uint32_t owner_id(const std::string& owner);
  // The owner an object's marks name, if this agent tracks it; whether its inventory lists the
  // object: marks are written by whoever can write the object, so they alone prove nothing.
  std::uint32_t tracked_owner(const std::string& owner);
  bool lists(std::uint32_t owner, const std::string& inventory_id) const;
  bool covered(const owner_state& o) const;

  boost::asio::any_io_executor executor_;
  kube::client client_;
  server::metrics& metrics_;
  drift_settings settings_;
  trigger_fn trigger_;
  std::map<std::string, owner_state> owners_;
  kind_owners kind_owners_;
  std::map<group_version_kind, std::shared_ptr<kind_watch>> watches_;
  // Owners are kept per object as a number: "namespace/name" once, not once per object.
  std::vector<std::string> owner_names_;
  std::unordered_map<std::string, std::uint32_t> owner_ids_;
  fight_detector fights_;
  std::size_t alive_ = 0;
  bool stopping_ = false;
  bool cap_reported_ = false;
};

}  // namespace gitopsd::controller
