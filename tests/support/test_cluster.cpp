#include "test_cluster.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

#ifndef GITOPSD_SOURCE_DIR
#error "GITOPSD_SOURCE_DIR must be defined by the build"
#endif
#ifndef GITOPSD_BINARY_DIR
#error "GITOPSD_BINARY_DIR must be defined by the build"
#endif

namespace gitopsd::test {

std::filesystem::path harness_dir() { return std::filesystem::path(GITOPSD_SOURCE_DIR) / "tests" / "cluster"; }

std::filesystem::path shared_cluster_dir() { return std::filesystem::path(GITOPSD_BINARY_DIR) / "cluster"; }

std::map<std::string, std::string> read_env_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("cannot read " + file.string() + " (is the test cluster up? make cluster-up)");
  std::map<std::string, std::string> vars;
  std::string line;
  const std::string prefix = "export ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = line.substr(prefix.size(), eq - prefix.size());
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    vars[name] = value;
  }
  return vars;
}

test_cluster::test_cluster(std::filesystem::path state_dir)
    : state_dir_(std::move(state_dir)), vars_(read_env_file(state_dir_ / "env")) {}

const test_cluster& test_cluster::shared() {
  static const test_cluster cluster(shared_cluster_dir());
  return cluster;
}

std::string test_cluster::var(const std::string& name) const {
  auto it = vars_.find(name);
  if (it == vars_.end()) throw std::runtime_error(name + " is not set in " + (state_dir_ / "env").string());
  return it->second;
}

command_options test_cluster::options(command_options base) const {
  const char* path = std::getenv("PATH");
  base.env.try_emplace("PATH", tools_bin().string() + ":" + (path ? path : "/usr/bin:/bin"));
  base.env.try_emplace("KUBECONFIG", kubeconfig().string());
  return base;
}

command_result test_cluster::kubectl(std::vector<std::string> args, const std::string& input) const {
  args.insert(args.begin(), {(tools_bin() / "kubectl").string(), "--kubeconfig", kubeconfig().string()});
  command_options o;
  o.input = input;
  return gitopsd::test::run(args, options(std::move(o)));
}

command_result test_cluster::run(const std::vector<std::string>& argv, command_options base) const {
  return gitopsd::test::run(argv, options(std::move(base)));
}

namespace {
void harness(const std::vector<std::string>& args) {
  std::vector<std::string> argv{(harness_dir() / "cluster.sh").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = run(argv);
  if (!r.ok()) throw std::runtime_error(describe(argv, r));
}
}  // namespace

void test_cluster::stop_apiserver() const { harness({"stop-apiserver", state_dir_.string()}); }

void test_cluster::start_apiserver() const { harness({"start-apiserver", state_dir_.string()}); }

private_cluster::private_cluster(std::filesystem::path state_dir) : state_dir_(std::move(state_dir)) {
  harness({"up", state_dir_.string(), "--owner", std::to_string(::getpid())});
  cluster_ = std::make_unique<test_cluster>(state_dir_);
}

private_cluster::~private_cluster() {
  try {
    harness({"down", state_dir_.string()});
  } catch (const std::exception&) {
    // The watchdog still removes it once this process is gone.
  }
}

}  // namespace gitopsd::test
