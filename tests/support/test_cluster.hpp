// The real control plane of the test suite (tests/cluster/cluster.sh), seen from C++ tests.
//
// Tests labelled `cluster` (binaries from tests/cluster/<module>/) run after the CTest fixture
// `cluster` started the shared cluster of the build tree; test_cluster::shared() reads its env file.
// A test that must disturb the cluster (stop the API server, fill it up) can start a private one.
#pragma once

#include "process.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gitopsd::test {

// The folder of harness scripts (tests/cluster) and the shared cluster's state dir (build/cluster).
std::filesystem::path harness_dir();
std::filesystem::path shared_cluster_dir();

class test_cluster {
 public:
  // Reads STATE_DIR/env as written by cluster.sh up; throws std::runtime_error if it is missing.
  explicit test_cluster(std::filesystem::path state_dir);

  // The cluster the CTest fixture started for this build tree (read once).
  static const test_cluster& shared();

  std::string server() const { return var("GITOPSD_TEST_SERVER"); }  // https://127.0.0.1:PORT
  std::string token() const { return var("GITOPSD_TEST_TOKEN"); }    // admin, group system:masters
  std::filesystem::path ca_file() const { return var("GITOPSD_TEST_CA"); }
  std::filesystem::path ca_key_file() const { return var("GITOPSD_TEST_CA_KEY"); }
  std::filesystem::path pki_dir() const { return ca_file().parent_path(); }
  // Admin kubeconfig with a bearer token and a CA file path.
  std::filesystem::path kubeconfig() const { return var("GITOPSD_TEST_KUBECONFIG"); }
  // Admin kubeconfig with an embedded client certificate, key and CA (the *-data fields).
  std::filesystem::path kubeconfig_cert() const { return var("GITOPSD_TEST_KUBECONFIG_CERT"); }
  std::filesystem::path client_cert() const { return var("GITOPSD_TEST_CLIENT_CERT"); }
  std::filesystem::path client_key() const { return var("GITOPSD_TEST_CLIENT_KEY"); }
  std::filesystem::path tools_bin() const { return var("GITOPSD_TEST_TOOLS_BIN"); }
  std::string node_name() const { return var("GITOPSD_TEST_NODE"); }
  const std::filesystem::path& state_dir() const { return state_dir_; }

  // Any variable of the env file; throws if absent.
  std::string var(const std::string& name) const;

  // Options for run() with PATH starting at the tools (kubectl, helm, kustomize) and KUBECONFIG set.
  command_options options(command_options base = {}) const;
  // kubectl as admin: kubectl({"get", "nodes"}).
  command_result kubectl(std::vector<std::string> args, const std::string& input = {}) const;
  // Runs any command with options(); e.g. run({"helm", "install", ...}).
  command_result run(const std::vector<std::string>& argv, command_options base = {}) const;

  // Stops / starts kube-apiserver only (same port, same data); start waits for /readyz.
  // Disturbs every test using this cluster: use it on a private_cluster.
  void stop_apiserver() const;
  void start_apiserver() const;

 private:
  std::filesystem::path state_dir_;
  std::map<std::string, std::string> vars_;
};

// A cluster of its own in STATE_DIR, started in the constructor (a few seconds once the tools are
// built) and torn down in the destructor; the harness watchdog also tears it down if this process dies.
class private_cluster {
 public:
  explicit private_cluster(std::filesystem::path state_dir);
  ~private_cluster();
  private_cluster(const private_cluster&) = delete;
  private_cluster& operator=(const private_cluster&) = delete;

  const test_cluster& cluster() const { return *cluster_; }
  const test_cluster* operator->() const { return cluster_.get(); }

 private:
  std::filesystem::path state_dir_;
  std::unique_ptr<test_cluster> cluster_;
};

// Parses the `export NAME="value"` lines of an env file written by the harness.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& file);

}  // namespace gitopsd::test
