#include "gitopsd/controller/agent.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::controller;

TEST_CASE("a standby is Ready once it has read the Lease", "[readiness]") {
  CHECK_FALSE(is_ready({.working = false, .lease_observed = false}));
  CHECK(is_ready({.working = false, .lease_observed = true}));
}

TEST_CASE("the working replica is Ready once its cache is synced", "[readiness]") {
  CHECK_FALSE(is_ready({.working = true, .synced = false, .lease_observed = true}));
  CHECK(is_ready({.working = true, .synced = true, .lease_observed = true}));
  // Without leader election there is no Lease: the cache alone decides.
  CHECK(is_ready({.working = true, .synced = true, .lease_observed = false}));
}

TEST_CASE("nothing is Ready while stopping", "[readiness]") {
  CHECK_FALSE(is_ready({.stopping = true, .working = true, .synced = true}));
  CHECK_FALSE(is_ready({.stopping = true, .lease_observed = true}));
}
