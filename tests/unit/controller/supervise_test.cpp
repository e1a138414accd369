#include "gitopsd/controller/supervise.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

using namespace gitopsd::controller;
namespace asio = boost::asio;

namespace {

struct recorded {
  std::string task, error;
};

asio::awaitable<void> throws() {
  co_await asio::this_coro::executor;
  throw std::runtime_error("watch: connection refused");
}

asio::awaitable<void> returns() { co_return; }

// Waits until cancelled (a timer that never fires), as the long-lived tasks do.
asio::awaitable<void> runs_until_cancelled() {
  asio::steady_timer forever(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  co_await forever.async_wait(asio::use_awaitable);
}

}  // namespace

TEST_CASE("task failures: an exception or a return while running, nothing while stopping", "[supervise]") {
  CHECK(task_failure(nullptr, false) == "ended unexpectedly");
  CHECK(task_failure(std::make_exception_ptr(std::runtime_error("boom")), false) == "boom");
  CHECK(task_failure(std::make_exception_ptr(42), false) == "an unknown exception");
  CHECK_FALSE(task_failure(nullptr, true));
  CHECK_FALSE(task_failure(std::make_exception_ptr(std::runtime_error("cancelled")), true));
}

TEST_CASE("a task that throws is reported with its error", "[supervise]") {
  asio::io_context io;
  std::vector<recorded> failures;
  supervisor s([&](const std::string& task, const std::string& error) { failures.push_back({task, error}); });
  s.spawn(io.get_executor(), "watch", throws());
  CHECK(s.alive() == 1);
  io.run();
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].task == "watch");
  CHECK(failures[0].error == "watch: connection refused");
  CHECK_FALSE(s.healthy());
  CHECK(s.alive() == 0);
}

TEST_CASE("a task that returns while the process runs has died", "[supervise]") {
  asio::io_context io;
  std::vector<recorded> failures;
  supervisor s([&](const std::string& task, const std::string& error) { failures.push_back({task, error}); });
  s.spawn(io.get_executor(), "dispatcher", returns());
  io.run();
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].task == "dispatcher");
  CHECK(failures[0].error == "ended unexpectedly");
  CHECK_FALSE(s.healthy());
}

TEST_CASE("tasks cancelled at shutdown end quietly", "[supervise]") {
  asio::io_context io;
  std::vector<recorded> failures;
  supervisor s([&](const std::string& task, const std::string& error) { failures.push_back({task, error}); });
  asio::cancellation_signal stop_elector, stop_watch;
  s.spawn(io.get_executor(), "leader election", runs_until_cancelled(), stop_elector.slot());
  s.spawn(io.get_executor(), "watch", runs_until_cancelled(), stop_watch.slot());
  s.spawn(io.get_executor(), "http", returns());
  io.run_for(std::chrono::milliseconds(20));
  CHECK(failures.size() == 1);  // the one that returned
  CHECK(s.alive() == 2);
  s.stopping();
  stop_elector.emit(asio::cancellation_type::terminal);
  stop_watch.emit(asio::cancellation_type::terminal);
  io.restart();
  io.run();
  CHECK(failures.size() == 1);
  CHECK(s.alive() == 0);
}

TEST_CASE("healthy while every task runs", "[supervise]") {
  asio::io_context io;
  int failures = 0;
  supervisor s([&](const std::string&, const std::string&) { ++failures; });
  asio::cancellation_signal stop;
  s.spawn(io.get_executor(), "watch", runs_until_cancelled(), stop.slot());
  io.run_for(std::chrono::milliseconds(20));
  CHECK(s.healthy());
  CHECK(s.alive() == 1);
  // Cancelled without the process stopping (a bug): that is a death too.
  stop.emit(asio::cancellation_type::terminal);
  io.restart();
  io.run();
  CHECK(failures == 1);
  CHECK_FALSE(s.healthy());
}
