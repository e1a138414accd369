// The harness itself: clusters side by side, API server restarts, and nothing left behind when
// the owning process dies.
#include "test_cluster.hpp"
#include "test_git_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace gitopsd::test;
using namespace std::chrono_literals;

namespace {

bool process_exists(pid_t pid) { return ::kill(pid, 0) == 0; }

// Pids recorded in STATE/pids/*.pid ("PID STARTTIME").
std::vector<pid_t> recorded_pids(const std::filesystem::path& state) {
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator(state / "pids")) {
    std::ifstream in(entry.path());
    pid_t pid = 0;
    if (in >> pid) pids.push_back(pid);
  }
  return pids;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(200ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("a second cluster runs beside the shared one without colliding", "[lifecycle]") {
  const auto& shared = test_cluster::shared();
  private_cluster second(scratch_dir("second-cluster") / "cluster");
  CHECK(second->server() != shared.server());
  CHECK(second->token() != shared.token());
  REQUIRE(second->kubectl({"create", "configmap", "only-in-second", "-n", "default"}).ok());
  CHECK(second->kubectl({"get", "configmap", "only-in-second", "-n", "default"}).ok());
  auto in_shared = shared.kubectl({"get", "configmap", "only-in-second", "-n", "default"});
  CHECK(in_shared.exit_code == 1);
  CHECK_THAT(in_shared.err, Catch::Contains("NotFound") || Catch::Contains("not found"));
  // Each CA only vouches for its own API server.
  auto cross = run({"curl", "-sS", "--cacert", shared.ca_file().string(), second->server() + "/readyz"});
  CHECK_FALSE(cross.ok());
  CHECK(second->kubectl({"get", "node", second->node_name()}).ok());
}

TEST_CASE("the API server can be stopped and started again, keeping its data", "[lifecycle]") {
  private_cluster cluster(scratch_dir("restart-cluster") / "cluster");
  REQUIRE(cluster->kubectl({"create", "configmap", "survivor", "-n", "default"}).ok());
  cluster->stop_apiserver();
  auto down = cluster->kubectl({"get", "configmap", "survivor", "-n", "default", "--request-timeout=5s"});
  CHECK_FALSE(down.ok());
  CHECK_THAT(down.err, Catch::Contains("refused"));
  cluster->start_apiserver();
  auto up = cluster->kubectl({"get", "configmap", "survivor", "-n", "default", "-o", "name"});
  CHECK(up.out == "configmap/survivor\n");
}

TEST_CASE("a cluster is torn down when its owner process dies", "[lifecycle]") {
  auto state = scratch_dir("orphan-cluster") / "cluster";
  // The owner: a child that we kill hard, as if a test run were interrupted.
  pid_t owner = ::fork();
  REQUIRE(owner >= 0);
  if (owner == 0) {
    ::pause();
    ::_exit(0);
  }
  auto up = run({(harness_dir() / "cluster.sh").string(), "up", state.string(), "--owner", std::to_string(owner)});
  INFO(describe({"cluster.sh", "up"}, up));
  REQUIRE(up.ok());
  auto pids = recorded_pids(state);
  REQUIRE(pids.size() == 5);
  for (pid_t p : pids) CHECK(process_exists(p));

  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  CHECK(eventually([&] { return !std::filesystem::exists(state); }, 30s));
  for (pid_t p : pids) CHECK(eventually([&] { return !process_exists(p); }, 5s));
}

TEST_CASE("an interrupted start leaves no process behind", "[lifecycle]") {
  auto state = scratch_dir("interrupted-cluster") / "cluster";
  pid_t starter = ::fork();
  REQUIRE(starter >= 0);
  if (starter == 0) {
    auto script = (harness_dir() / "cluster.sh").string();
    ::execl(script.c_str(), script.c_str(), "up", state.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once the API server has been started, i.e. in the middle of the start.
  bool started = eventually([&] { return std::filesystem::exists(state / "pids" / "kube-apiserver.pid"); }, 60s);
  std::vector<pid_t> pids;
  if (started) pids = recorded_pids(state);
  ::kill(starter, SIGINT);
  int status = 0;
  ::waitpid(starter, &status, 0);
  REQUIRE(started);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) != 0);
  CHECK_FALSE(std::filesystem::exists(state));
  REQUIRE_FALSE(pids.empty());
  for (pid_t p : pids) CHECK(eventually([&] { return !process_exists(p); }, 5s));
}
