#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/wait.hpp"

#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace std::chrono_literals;
using gitopsd::wait::semaphore;

namespace {

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// Sets `flag` when the calling coroutine is (still) cancelled: its next asynchronous step throws
// operation_aborted. A macro, as the throw happens at the co_await in the caller's own frame.
#define EXPECT_NEXT_STEP_ABORTS(flag)                                 \
  try {                                                               \
    co_await sleep_for(1ms);                                          \
  } catch (const boost::system::system_error& e) {                    \
    flag = e.code() == asio::error::operation_aborted;                \
  }

}  // namespace

TEST_CASE("a signal wakes waiters present and future", "[wait]") {
  asio::io_context io;
  gitopsd::wait::signal s(io.get_executor());
  int woken = 0;
  auto waiter = [&]() -> asio::awaitable<void> {
    if (co_await s.wait()) ++woken;
  };
  asio::co_spawn(io, waiter, asio::detached);
  asio::co_spawn(io, waiter, asio::detached);
  asio::post(io, [&] { s.set(); });
  io.run();
  CHECK(woken == 2);
  io.restart();
  asio::co_spawn(io, waiter, asio::detached);
  io.run();
  CHECK(woken == 3);
}

TEST_CASE("a cancelled signal wait returns false and leaves the caller cancelled", "[wait]") {
  asio::io_context io;
  gitopsd::wait::signal s(io.get_executor());
  bool returned_false = false, still_cancelled = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto inner = [&]() -> asio::awaitable<void> {
      returned_false = !co_await s.wait();
      EXPECT_NEXT_STEP_ABORTS(still_cancelled);
    };
    co_await (inner() || sleep_for(10ms));
  }, asio::detached);
  io.run();
  CHECK(returned_false);
  CHECK(still_cancelled);
  CHECK_FALSE(s.is_set());
}

TEST_CASE("semaphore permits go to waiters in arrival order", "[wait]") {
  asio::io_context io;
  semaphore sem(io.get_executor(), 1);
  std::vector<int> order;
  auto first = sem.try_acquire();
  REQUIRE(first);
  CHECK_FALSE(sem.try_acquire());
  for (int i = 0; i < 5; ++i)
    asio::co_spawn(io, [&, i]() -> asio::awaitable<void> {
      auto p = co_await sem.acquire();
      REQUIRE(p);
      order.push_back(i);
      co_await sleep_for(1ms);
    }, asio::detached);
  asio::post(io, [&] { first->reset(); });
  io.run();
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(sem.idle(1));
}

TEST_CASE("a waiter cancelled while waiting takes no permit", "[wait]") {
  asio::io_context io;
  semaphore sem(io.get_executor(), 1);
  auto held = sem.try_acquire();
  bool got = true, still_cancelled = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto inner = [&]() -> asio::awaitable<void> {
      got = (co_await sem.acquire()).has_value();
      EXPECT_NEXT_STEP_ABORTS(still_cancelled);
    };
    co_await (inner() || sleep_for(5ms));  // a deadline on the queue time
  }, asio::detached);
  io.run();
  CHECK_FALSE(got);
  CHECK(still_cancelled);
  CHECK(sem.waiting() == 0);
  held->reset();
  CHECK(sem.idle(1));
}

TEST_CASE("a permit released to a waiter cancelled at the same moment is not lost", "[wait]") {
  asio::io_context io;
  semaphore sem(io.get_executor(), 1);
  auto held = sem.try_acquire();
  asio::cancellation_signal cancel_b;
  bool c_got = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { [[maybe_unused]] auto p = co_await sem.acquire(); },
                 asio::bind_cancellation_slot(cancel_b.slot(), asio::detached));
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto p = co_await sem.acquire();
    c_got = p.has_value();
  }, asio::detached);
  asio::post(io, [&] {
    held->reset();  // hands the permit to b ...
    cancel_b.emit(asio::cancellation_type::terminal);  // ... as b is cancelled
  });
  io.run();
  CHECK(c_got);
  CHECK(sem.idle(1));
}

TEST_CASE("run_within: value, timeout and exception", "[wait]") {
  asio::io_context io;
  gitopsd::wait::bounded_run<int> quick, slow, failed;
  bool slow_ended = false;
  auto t0 = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration failed_after{};
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto fast = []() -> asio::awaitable<int> { co_return 7; };
    quick = co_await gitopsd::wait::run_within(fast(), 10s);
    auto hang = [&]() -> asio::awaitable<int> {
      try {
        co_await sleep_for(10s);
      } catch (...) {
        slow_ended = true;
        throw;
      }
      co_return 1;
    };
    slow = co_await gitopsd::wait::run_within(hang(), 20ms);
    auto boom = []() -> asio::awaitable<int> {
      co_await sleep_for(1ms);
      throw std::runtime_error("broken");
    };
    auto started = std::chrono::steady_clock::now();
    failed = co_await gitopsd::wait::run_within(boom(), 10s);
    failed_after = std::chrono::steady_clock::now() - started;
  }, asio::detached);
  io.run();
  CHECK(quick.value == 7);
  CHECK_FALSE(quick.timed_out);
  CHECK(slow.timed_out);
  CHECK(slow_ended);
  CHECK_FALSE(slow.value);
  CHECK_FALSE(failed.timed_out);
  REQUIRE(failed.failure);
  CHECK_THROWS_WITH(std::rethrow_exception(failed.failure), "broken");
  CHECK(failed_after < 5s);  // at once, not at the deadline
  CHECK(std::chrono::steady_clock::now() - t0 < 9s);
}

TEST_CASE("for_each_bounded leaves a cancelled caller cancelled", "[wait]") {
  asio::io_context io;
  bool still_cancelled = false;
  int ended = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto inner = [&]() -> asio::awaitable<void> {
      auto work = [&](std::size_t) -> asio::awaitable<void> {
        try {
          co_await sleep_for(10s);
        } catch (const boost::system::system_error&) {
        }
        ++ended;
      };
      co_await gitopsd::for_each_bounded(4, 2, work);
      EXPECT_NEXT_STEP_ABORTS(still_cancelled);
    };
    co_await (inner() || sleep_for(10ms));
  }, asio::detached);
  io.run();
  CHECK(ended == 2);
  CHECK(still_cancelled);
}

TEST_CASE("for_each_bounded: a worker's exception ends the run and reaches the caller", "[wait]") {
  asio::io_context io;
  std::string caught;
  int started = 0;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto work = [&](std::size_t i) -> asio::awaitable<void> {
      ++started;
      if (i == 0) throw std::runtime_error("worker failed");
      co_await sleep_for(10s);
    };
    try {
      co_await gitopsd::for_each_bounded(100, 3, work);
    } catch (const std::exception& e) {
      caught = e.what();
    }
  }, asio::detached);
  auto t0 = std::chrono::steady_clock::now();
  io.run();
  CHECK(caught == "worker failed");
  CHECK(started < 10);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}

TEST_CASE("run_within: cancelling the caller cancels the work, and the caller stays cancelled", "[wait]") {
  asio::io_context io;
  gitopsd::wait::bounded_run<int> out;
  bool work_ended = false, still_cancelled = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    auto caller = [&]() -> asio::awaitable<void> {
      auto hang = [&]() -> asio::awaitable<int> {
        try {
          co_await sleep_for(10s);
        } catch (...) {
          work_ended = true;
          throw;
        }
        co_return 1;
      };
      out = co_await gitopsd::wait::run_within(hang(), 10s);
      EXPECT_NEXT_STEP_ABORTS(still_cancelled);
    };
    co_await (caller() || sleep_for(20ms));
  }, asio::detached);
  auto t0 = std::chrono::steady_clock::now();
  io.run();
  CHECK(work_ended);
  CHECK_FALSE(out.timed_out);
  CHECK(out.failure);
  CHECK(still_cancelled);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
}
