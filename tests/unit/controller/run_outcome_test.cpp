#include "gitopsd/controller/run_outcome.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::controller;

TEST_CASE("a run cancelled from outside writes nothing more, whatever else happened", "[run_outcome]") {
  for (bool timed_out : {false, true})
    for (bool threw : {false, true}) {
      auto o = classify_run(true, timed_out, true, threw, true);
      CHECK(o.how == ending::cancelled);
      CHECK_FALSE(o.ok);
    }
}

TEST_CASE("a deadline after the status was written keeps that status", "[run_outcome]") {
  auto ready = classify_run(false, true, true, false, std::nullopt);
  CHECK(ready.how == ending::reported);
  CHECK(ready.ok);
  auto failed = classify_run(false, true, false, true, std::nullopt);
  CHECK(failed.how == ending::reported);
  CHECK_FALSE(failed.ok);
}

TEST_CASE("a deadline before any status is the one timeout report", "[run_outcome]") {
  auto o = classify_run(false, true, std::nullopt, true, std::nullopt);  // cancelled work may throw as it unwinds
  CHECK(o.how == ending::timed_out);
  CHECK_FALSE(o.ok);
}

TEST_CASE("an exception is an internal error, and a return is the pipeline's own answer", "[run_outcome]") {
  CHECK(classify_run(false, false, std::nullopt, true, std::nullopt).how == ending::crashed);
  CHECK(classify_run(false, false, true, true, std::nullopt).how == ending::crashed);
  auto ok = classify_run(false, false, true, false, true);
  CHECK(ok.how == ending::finished);
  CHECK(ok.ok);
  auto retry = classify_run(false, false, false, false, false);
  CHECK(retry.how == ending::finished);
  CHECK_FALSE(retry.ok);
}
