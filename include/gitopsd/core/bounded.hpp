#pragma once
// Runs fn(0) .. fn(n-1) as coroutines, at most `limit` at a time, and waits for all of them.
// Used for the many requests in flight of the apply, prune and health stages. Cancelling the
// caller (a timeout) cancels the workers, and the call still returns only after all have ended,
// so `fn` may refer to the caller's locals.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <vector>

namespace gitopsd {

// `fn` is taken by reference and must be a named object: GCC 12 miscompiles temporaries (such
// as a lambda written inline) inside a co_await expression.
template <class Fn>
boost::asio::awaitable<void> for_each_bounded(std::size_t n, std::size_t limit, const Fn& fn) {
  namespace asio = boost::asio;
  if (n == 0) co_return;
  auto executor = co_await asio::this_coro::executor;
  struct shared {
    std::size_t total;
    std::size_t next = 0;
    std::size_t running = 0;
    std::exception_ptr failure;
    asio::steady_timer done;
    std::vector<asio::cancellation_signal> cancel;
    shared(asio::any_io_executor e, std::size_t t, std::size_t w)
        : total(t), done(e, asio::steady_timer::time_point::max()), cancel(w) {}
  };
  std::size_t workers = std::clamp<std::size_t>(limit, 1, n);
  auto state = std::make_shared<shared>(executor, n, workers);
  state->running = workers;
  for (std::size_t w = 0; w < workers; ++w) {
    asio::co_spawn(
        executor,
        [state, &fn]() -> asio::awaitable<void> {
          while (state->next < state->total) {
            std::size_t i = state->next++;
            co_await fn(i);
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none) co_return;
          }
        },
        asio::bind_cancellation_slot(state->cancel[w].slot(), [state](std::exception_ptr e) {
          if (e && !state->failure) state->failure = e;
          if (--state->running == 0) state->done.cancel();
        }));
  }
  bool cancelled = false;
  while (state->running > 0) {
    boost::system::error_code ec;
    co_await state->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (state->running > 0 && !cancelled) {
      // Woken by our caller's cancellation: stop the workers, then wait for them to end.
      cancelled = true;
      for (auto& signal : state->cancel) signal.emit(asio::cancellation_type::terminal);
      co_await asio::this_coro::reset_cancellation_state();
    }
  }
  if (state->failure) std::rethrow_exception(state->failure);
}

}  // namespace gitopsd
