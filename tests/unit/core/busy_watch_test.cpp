#include "gitopsd/core/busy_watch.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace std::chrono_literals;

TEST_CASE("a job is overdue only past its allowance plus the grace", "[busy_watch]") {
  steady_clock::time_point t0{};
  CHECK_FALSE(overdue(t0, 60s, 30s, t0));
  CHECK_FALSE(overdue(t0, 60s, 30s, t0 + 90s));
  CHECK(overdue(t0, 60s, 30s, t0 + 91s));
}

TEST_CASE("the watch names the first overdue job and forgets finished ones", "[busy_watch]") {
  busy_watch watch(10s);
  steady_clock::time_point t0{};
  auto fast = watch.begin("render of a/fast", 5s, t0);
  std::optional<busy_watch::ticket> slow = watch.begin("Git fetch of b/slow", 60s, t0);
  CHECK(watch.running() == 2);
  CHECK_FALSE(watch.overdue_job(t0 + 15s).has_value());  // not past 5 s + 10 s grace yet
  CHECK(*watch.overdue_job(t0 + 16s) == "render of a/fast, running 16 s, allowed 5 s");
  { auto gone = std::move(fast); }
  CHECK(watch.running() == 1);
  CHECK_FALSE(watch.overdue_job(t0 + 70s).has_value());
  CHECK(*watch.overdue_job(t0 + 71s) == "Git fetch of b/slow, running 71 s, allowed 60 s");
  slow.reset();
  CHECK(watch.running() == 0);
  CHECK_FALSE(watch.overdue_job(t0 + 1000s).has_value());
}

TEST_CASE("a moved ticket ends its job once", "[busy_watch]") {
  busy_watch watch;
  busy_watch::ticket a = watch.begin("x", 1s);
  busy_watch::ticket b;
  b = std::move(a);
  CHECK(watch.running() == 1);
  b = watch.begin("y", 1s);  // the old job ends, the new one runs
  CHECK(watch.running() == 1);
}
