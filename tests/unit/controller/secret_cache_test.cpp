#include "gitopsd/controller/secret_cache.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using namespace gitopsd::controller;
using time_point = secret_cache::clock::time_point;

namespace {
time_point t0{};
auto value(const std::string& password) {
  return std::make_shared<const secret_cache::data>(secret_cache::data{{"password", password}});
}
}  // namespace

TEST_CASE("secret cache: a read is reused only if made at or after the run's bound, and within a minute", "[secret_cache]") {
  secret_cache cache;
  secret_cache::key git{"team", "git-auth", ""};
  CHECK(cache.find(git, t0, t0) == nullptr);
  cache.put(git, value("one"), t0 + 10s);
  REQUIRE(cache.find(git, t0, t0 + 20s) != nullptr);
  CHECK(cache.find(git, t0, t0 + 20s)->at("password") == "one");
  CHECK(cache.find(git, t0 + 10s, t0 + 20s) != nullptr);  // made exactly at the bound
  CHECK(cache.find(git, t0 + 11s, t0 + 20s) == nullptr);  // a run asked for after it was read
  CHECK(cache.find(git, t0, t0 + 70s) == nullptr);        // a minute old: gone
  CHECK(cache.size() == 0);
}

TEST_CASE("secret cache: entries are per Secret and per reading identity", "[secret_cache]") {
  secret_cache cache;
  cache.put({"team", "git-auth", "deployer"}, value("sa"), t0);
  CHECK(cache.find({"team", "git-auth", ""}, t0, t0) == nullptr);           // the agent itself
  CHECK(cache.find({"team", "git-auth", "other"}, t0, t0) == nullptr);      // another ServiceAccount
  CHECK(cache.find({"other", "git-auth", "deployer"}, t0, t0) == nullptr);  // another namespace
  CHECK(cache.find({"team", "git-auth", "deployer"}, t0, t0) != nullptr);
  cache.put({"team", "git-auth", "deployer"}, value("rotated"), t0 + 1s);
  CHECK(cache.find({"team", "git-auth", "deployer"}, t0, t0 + 1s)->at("password") == "rotated");
}

TEST_CASE("secret cache: bounded, the oldest read goes first", "[secret_cache]") {
  secret_cache cache(2);
  cache.put({"a", "s", ""}, value("a"), t0);
  cache.put({"b", "s", ""}, value("b"), t0 + 1s);
  cache.put({"c", "s", ""}, value("c"), t0 + 2s);
  CHECK(cache.size() == 2);
  CHECK(cache.find({"a", "s", ""}, t0, t0 + 2s) == nullptr);
  CHECK(cache.find({"b", "s", ""}, t0, t0 + 2s) != nullptr);
  CHECK(cache.find({"c", "s", ""}, t0, t0 + 2s) != nullptr);
  secret_cache none(0);
  none.put({"a", "s", ""}, value("a"), t0);
  CHECK(none.size() == 0);
}
