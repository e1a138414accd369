// Watches against the real control plane: selectors, metadata-only, 410 relist, API server restart.

#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "kube_support.hpp"
#include "test_git_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/post.hpp>

#include <cstdlib>
#include <future>
#include <mutex>

using namespace gitopsd;
using namespace gitopsd::kube;
using namespace kube_test;
using gitopsd::test::test_cluster;
namespace asio = boost::asio;

namespace {

const group_version_kind configmap_kind{"", "v1", "ConfigMap"};

// A watch running on the loop; events are recorded as "TYPE name kind" for the test thread.
class running_watch {
 public:
  running_watch(loop& l, client& c, std::string ns, watch_options options) : loop_(l) {
    done_ = asio::co_spawn(
        l.io(),
        c.watch(configmap_kind, std::move(ns), std::move(options),
                [this](watch_event& e) {
                  std::string name(json::get_string(e.object, "metadata", "name").value_or(""));
                  std::string kind(e.object.IsObject() ? json::get_string(e.object, "kind").value_or("") : "");
                  bool has_data = e.object.IsObject() && e.object.HasMember("data");
                  std::lock_guard lock(mutex_);
                  seen_.push_back(std::string(to_string(e.type)) + (name.empty() ? "" : " " + name) +
                                  (kind.empty() ? "" : " " + kind) + (has_data ? " +data" : ""));
                }),
        asio::bind_cancellation_slot(signal_.slot(), asio::use_future));
  }

  ~running_watch() {
    if (done_.valid()) (void)stop();
  }

  result<void> stop() {
    asio::post(loop_.io(), [this] { signal_.emit(asio::cancellation_type::terminal); });
    return done_.get();
  }

  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

  // Waits until an event equal to `what` was seen.
  bool wait_for(const std::string& what, std::chrono::seconds limit = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard lock(mutex_);
        for (const auto& s : seen_)
          if (s == what) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

 private:
  loop& loop_;
  asio::cancellation_signal signal_;
  std::future<result<void>> done_;
  std::mutex mutex_;
  std::vector<std::string> seen_;
};

void apply_cm(loop& l, client& c, const std::string& ns, const std::string& name, const std::string& labels = "{}") {
  auto r = l.await(c.apply(parse(configmap_json(ns, name, R"({"k":"v"})", labels))));
  INFO((r.has_value() ? std::string() : r.error().what()));
  REQUIRE(r.has_value());
}

}  // namespace

TEST_CASE("watch: list first, then events matching the selector - cancellation ends it", "[kube][watch]") {
  loop l;
  auto c = make_client(l, admin_config(test_cluster::shared()));
  test_namespace ns(l, c, "kube-watch");
  apply_cm(l, c, ns.name, "a", R"({"w":"1"})");
  watch_options o;
  o.label_selector = "w=1";
  running_watch w(l, c, ns.name, o);
  REQUIRE(w.wait_for("SYNCED"));
  apply_cm(l, c, ns.name, "b", R"({"w":"1"})");
  apply_cm(l, c, ns.name, "c");  // not selected
  REQUIRE(l.await(c.remove({configmap_kind, ns.name, "a"})).has_value());
  REQUIRE(w.wait_for("DELETED a ConfigMap +data"));
  auto r = w.stop();
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::cancelled);
  CHECK(w.seen() == std::vector<std::string>{"RESET", "ADDED a ConfigMap +data", "SYNCED", "ADDED b ConfigMap +data",
                                             "DELETED a ConfigMap +data"});
}

namespace {
// Compacts the cluster's etcd up to its current revision through etcd's JSON gateway.
void compact_etcd(const test_cluster& cluster) {
  std::string etcd = cluster.var("GITOPSD_TEST_ETCD");
  REQUIRE_FALSE(etcd.empty());
  auto range = cluster.run({"curl", "-sf", "-X", "POST", etcd + "/v3/kv/range", "-d", R"({"key":"AA=="})"});
  REQUIRE(range.ok());
  auto doc = gitopsd::json::parse(range.out);
  REQUIRE(doc.has_value());
  auto revision = gitopsd::json::get_string(*doc, "header", "revision");
  REQUIRE(revision);
  auto compact = cluster.run({"curl", "-sf", "-X", "POST", etcd + "/v3/kv/compaction", "-d",
                              "{\"revision\":\"" + std::string(*revision) + "\",\"physical\":true}"});
  REQUIRE(compact.ok());
}
}  // namespace

TEST_CASE("watch: metadata only, and a relist when the resourceVersion is too old (410)", "[kube][watch][restart]") {
  // A young API server's watch cache serves any old resourceVersion; without the cache, a watch
  // from a compacted revision is answered with 410 Expired every time.
  setenv("GITOPSD_TEST_APISERVER_ARGS", "--watch-cache=false", 1);
  gitopsd::test::private_cluster cluster(gitopsd::test::scratch_dir("kube-watch-410") / "cluster");
  unsetenv("GITOPSD_TEST_APISERVER_ARGS");
  loop l;
  auto c = make_client(l, admin_config(cluster.cluster()));
  test_namespace ns(l, c, "kube-watch-meta");
  // A selector keeps out what controllers add to every namespace (kube-root-ca.crt).
  apply_cm(l, c, ns.name, "old", R"({"t":"meta"})");
  compact_etcd(cluster.cluster());
  watch_options o;
  o.label_selector = "t=meta";
  o.metadata_only = true;
  o.resource_version = "1";  // compacted away: the server answers 410
  running_watch w(l, c, ns.name, o);
  REQUIRE(w.wait_for("SYNCED"));
  apply_cm(l, c, ns.name, "new", R"({"t":"meta"})");
  REQUIRE(w.wait_for("ADDED new PartialObjectMetadata"));
  auto seen = w.seen();
  REQUIRE(seen.size() >= 3);
  CHECK(seen[0] == "RESET");  // the relist after 410 Gone
  CHECK(seen[1] == "ADDED old PartialObjectMetadata");
  CHECK(seen[2] == "SYNCED");
}

TEST_CASE("watch: keeps delivering across an API server restart", "[kube][watch][restart]") {
  gitopsd::test::private_cluster cluster(gitopsd::test::scratch_dir("kube-watch-restart") / "cluster");
  loop l;
  auto cfg = admin_config(cluster.cluster());
  auto c = make_client(l, cfg);
  watch_options o;
  o.server_timeout = std::chrono::seconds(60);
  running_watch w(l, c, "default", o);
  REQUIRE(w.wait_for("SYNCED"));
  apply_cm(l, c, "default", "before");
  REQUIRE(w.wait_for("ADDED before ConfigMap +data"));
  cluster->stop_apiserver();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  cluster->start_apiserver();
  apply_cm(l, c, "default", "after");
  // Either the watch resumed (ADDED after) or it had to list again (and "after" is in the list).
  CHECK(w.wait_for("ADDED after ConfigMap +data", std::chrono::seconds(60)));
  auto r = w.stop();
  CHECK(r.error().code == errc::cancelled);
}
