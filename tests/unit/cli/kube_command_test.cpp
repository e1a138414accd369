#include "gitopsd/cli/kube_command.hpp"

#include "gitopsd/kube/errc.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

TEST_CASE("errors become one line that says what to do", "[cli]") {
  const char* server = "https://127.0.0.1:6443";
  CHECK(cli::describe_failure(make_error(kube::errc::not_found, "get x: not found"), "GitRepository n/app", server) ==
        "GitRepository n/app not found");
  CHECK(cli::describe_failure(make_error(kube::errc::forbidden, "get x: Forbidden: \"user cannot get\""), "GitRepository n/app",
                              server) == "no permission to read or change GitRepository n/app: get x: Forbidden: \"user cannot get\"");
  CHECK(cli::describe_failure(make_error(kube::errc::connect_failed, "Couldn't connect\nto server"), "GitRepository n/app", server) ==
        "cannot reach the cluster at https://127.0.0.1:6443: Couldn't connect to server");
  CHECK(cli::describe_failure(make_error(kube::errc::unauthorized, "Unauthorized"), "x", server) ==
        "the cluster at https://127.0.0.1:6443 did not accept the credentials: Unauthorized");
}
