// The command runner the cluster tests rely on: exit codes, both outputs, stdin, environment
// and timeouts must be what the command really did.
#include "process.hpp"
#include "test_cluster.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

using namespace gitopsd::test;

TEST_CASE("run captures stdout, stderr and the exit code apart", "[process]") {
  auto r = run({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK_FALSE(r.ok());
}

TEST_CASE("run feeds stdin, including more than a pipe holds", "[process]") {
  std::string big(1 << 20, 'x');
  command_options o;
  o.input = big;
  auto r = run({"wc", "-c"}, o);
  CHECK(r.ok());
  CHECK(r.out == std::to_string(big.size()) + "\n");
}

TEST_CASE("run sets and unsets environment variables", "[process]") {
  ::setenv("GITOPSD_PROCESS_TEST_UNSET", "present", 1);
  command_options o;
  o.env = {{"GITOPSD_PROCESS_TEST_SET", "value"}};
  o.unset_env = {"GITOPSD_PROCESS_TEST_UNSET"};
  auto r = run({"sh", "-c", "echo \"$GITOPSD_PROCESS_TEST_SET/${GITOPSD_PROCESS_TEST_UNSET-none}\""}, o);
  CHECK(r.out == "value/none\n");
}

TEST_CASE("run reports a program that cannot be started", "[process]") {
  auto r = run({"gitopsd-no-such-program"});
  CHECK(r.exit_code == 127);
  CHECK_THAT(r.err, Catch::Contains("cannot run gitopsd-no-such-program"));
}

TEST_CASE("run kills a command that outlives its timeout", "[process]") {
  command_options o;
  o.timeout = std::chrono::seconds(1);
  auto start = std::chrono::steady_clock::now();
  auto r = run({"sh", "-c", "sleep 30 & sleep 30"}, o);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  CHECK(r.exit_code == -1);
  CHECK_THAT(r.err, Catch::Contains("timed out after 1s"));
}

TEST_CASE("a missing env file names the way to start the cluster", "[process]") {
  CHECK_THROWS_WITH(test_cluster("/nonexistent-cluster-dir"), Catch::Contains("make cluster-up"));
}
