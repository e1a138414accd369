#include "gitopsd/core/bounded.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;

namespace {
asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}
}  // namespace

TEST_CASE("all items run, never more than the limit at once", "[bounded]") {
  asio::io_context io;
  std::vector<int> done(50, 0);
  int running = 0, peak = 0;
  bool finished = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto work = [&](std::size_t i) -> asio::awaitable<void> {
      peak = std::max(peak, ++running);
      co_await sleep_for(1ms);
      --running;
      ++done[i];
    };
    co_await gitopsd::for_each_bounded(done.size(), 4, work);
    finished = true;
  }, asio::detached);
  io.run();
  CHECK(finished);
  CHECK(peak == 4);
  CHECK(std::all_of(done.begin(), done.end(), [](int n) { return n == 1; }));
}

TEST_CASE("no items and a limit above the count", "[bounded]") {
  asio::io_context io;
  int calls = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto work = [&](std::size_t) -> asio::awaitable<void> {
      ++calls;
      co_return;
    };
    co_await gitopsd::for_each_bounded(0, 4, work);
    co_await gitopsd::for_each_bounded(2, 100, work);
  }, asio::detached);
  io.run();
  CHECK(calls == 2);
}

TEST_CASE("a timeout cancels the workers and waits for them to end", "[bounded]") {
  asio::io_context io;
  int started = 0, ended = 0;
  bool timed_out = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    asio::steady_timer timeout(io, 20ms);
    auto work = [&](std::size_t) -> asio::awaitable<void> {
      ++started;
      try {
        co_await sleep_for(10s);
      } catch (const boost::system::system_error&) {
      }
      ++ended;
    };
    auto r = co_await (gitopsd::for_each_bounded(10, 2, work) || timeout.async_wait(asio::use_awaitable));
    timed_out = r.index() == 1;
  }, asio::detached);
  auto t0 = std::chrono::steady_clock::now();
  io.run();
  CHECK(timed_out);
  CHECK(started == 2);
  CHECK(ended == 2);
  CHECK(std::chrono::steady_clock::now() - t0 < 2s);
}

TEST_CASE("an exception in a worker reaches the caller after all ended", "[bounded]") {
  asio::io_context io;
  bool caught = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    try {
      auto work = [&](std::size_t i) -> asio::awaitable<void> {
        co_await sleep_for(1ms);
        if (i == 1) throw std::runtime_error("bug");
      };
      co_await gitopsd::for_each_bounded(3, 3, work);
    } catch (const std::runtime_error&) {
      caught = true;
    }
  }, asio::detached);
  io.run();
  CHECK(caught);
}
