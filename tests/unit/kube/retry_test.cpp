#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/rate_limiter.hpp"
#include "gitopsd/kube/retry.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::kube;
using namespace std::chrono_literals;

TEST_CASE("backoff grows, is capped and jittered - attempts run out", "[retry]") {
  retry_policy p;
  p.max_attempts = 6;
  p.initial_backoff = 100ms;
  p.max_backoff = 1000ms;
  p.factor = 2;
  p.jitter = 0.2;
  auto code = make_error_code(errc::service_unavailable);
  CHECK(next_retry(p, 1, code, std::nullopt, 0.5) == 100ms);
  CHECK(next_retry(p, 2, code, std::nullopt, 0.5) == 200ms);
  CHECK(next_retry(p, 3, code, std::nullopt, 0.5) == 400ms);
  CHECK(next_retry(p, 5, code, std::nullopt, 0.5) == 1000ms);  // capped
  CHECK(next_retry(p, 1, code, std::nullopt, 0.0) == 80ms);
  CHECK(next_retry(p, 1, code, std::nullopt, 0.999999) == 119ms);
  CHECK_FALSE(next_retry(p, 6, code, std::nullopt, 0.5));
}

TEST_CASE("Retry-After is honoured when longer, and capped", "[retry]") {
  retry_policy p;
  p.initial_backoff = 100ms;
  p.max_retry_after = 30s;
  auto code = make_error_code(errc::too_many_requests);
  CHECK(next_retry(p, 1, code, 3s, 0.5) == 3000ms);
  CHECK(next_retry(p, 1, code, 0s, 0.5) == 100ms);
  CHECK(next_retry(p, 1, code, 3600s, 0.5) == 30000ms);
}

TEST_CASE("client errors are never retried", "[retry]") {
  retry_policy p;
  for (auto e : {errc::invalid, errc::forbidden, errc::not_found, errc::conflict, errc::already_exists,
                 errc::unauthorized, errc::bad_request, errc::gone})
    CHECK_FALSE(next_retry(p, 1, make_error_code(e), 1s, 0.5));
  CHECK(next_retry(p, 1, make_error_code(errc::transport_failed), std::nullopt, 0.5));
}

TEST_CASE("the token bucket allows a burst, then paces at the QPS", "[rate_limiter]") {
  token_bucket b(10, 3);
  auto t0 = token_bucket::clock::time_point{} + 1h;
  CHECK(b.reserve(t0) == 0ns);
  CHECK(b.reserve(t0) == 0ns);
  CHECK(b.reserve(t0) == 0ns);
  CHECK(b.reserve(t0) == 100ms);  // the next token comes in 1/10 s
  CHECK(b.reserve(t0) == 200ms);  // and the one after queues behind it
  // After a second the debt (2) is paid and 8 tokens were made, capped at the burst of 3.
  auto t1 = t0 + 1s;
  CHECK(b.reserve(t1) == 0ns);
  CHECK(b.reserve(t1) == 0ns);
  CHECK(b.reserve(t1) == 0ns);
  CHECK(b.reserve(t1) == 100ms);
}

TEST_CASE("a zero QPS means no limit", "[rate_limiter]") {
  token_bucket b(0, 1);
  auto t0 = token_bucket::clock::now();
  for (int i = 0; i < 1000; ++i) REQUIRE(b.reserve(t0) == 0ns);
}

TEST_CASE("a create whose answer was lost is not sent again", "[retry]") {
  using gitopsd::kube::may_resend;
  // The server may have created it: a second POST would answer AlreadyExists for our own object.
  CHECK_FALSE(may_resend("POST", make_error_code(errc::transport_failed)));
  CHECK_FALSE(may_resend("POST", make_error_code(errc::request_timeout)));
  // Nothing was sent, or the server answered that it did not act.
  CHECK(may_resend("POST", make_error_code(errc::connect_failed)));
  CHECK(may_resend("POST", make_error_code(errc::too_many_requests)));
  // A 5xx may come after the server acted.
  CHECK_FALSE(may_resend("POST", make_error_code(errc::service_unavailable)));
  CHECK_FALSE(may_resend("POST", make_error_code(errc::internal_error)));
  CHECK_FALSE(may_resend("POST", make_error_code(errc::server_timeout)));
  // Idempotent methods may always be sent again (a DELETE that finds nothing is "gone").
  for (const char* method : {"GET", "PUT", "PATCH", "DELETE"}) {
    CHECK(may_resend(method, make_error_code(errc::transport_failed)));
    CHECK(may_resend(method, make_error_code(errc::request_timeout)));
  }
}

TEST_CASE("a failed connection is retried", "[retry]") {
  gitopsd::kube::retry_policy p;
  CHECK(next_retry(p, 1, make_error_code(errc::connect_failed), std::nullopt, 0.5));
}
