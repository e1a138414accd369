#pragma once
// Runs fn(0) .. fn(n-1) as coroutines, at most `limit` at a time, and waits for all of them.
// Used for the many requests in flight of the apply, prune and health stages. Cancelling the
// caller (a timeout) cancels the workers, and the call still returns only after all have ended,
// so `fn` may refer to the caller's locals. It is one asynchronous operation for the caller: the
// caller's cancellation state is left as it is (a cancelled caller stays cancelled).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <vector>

namespace gitopsd {

namespace detail {

template <class Fn, class Handler>
struct bounded_run_state {
  bounded_run_state(std::size_t n, std::size_t w, const Fn& f, Handler h)
      : total(n), fn(f), handler(std::move(h)), cancel(w) {}
  std::size_t total;
  std::size_t next = 0;
  std::size_t running = 0;
  bool cancelled = false;
  const Fn& fn;
  std::optional<Handler> handler;
  std::exception_ptr failure;
  std::vector<boost::asio::cancellation_signal> cancel;

  void stop_all() {
    if (cancelled) return;
    cancelled = true;
    for (auto& s : cancel) s.emit(boost::asio::cancellation_type::terminal);
  }
};

}  // namespace detail

// `fn` is taken by reference and must be a named object: GCC 12 miscompiles temporaries (such
// as a lambda written inline) inside a co_await expression.
template <class Fn>
boost::asio::awaitable<void> for_each_bounded(std::size_t n, std::size_t limit, const Fn& fn) {
  namespace asio = boost::asio;
  if (n == 0) co_return;
  auto executor = co_await asio::this_coro::executor;
  auto initiation = [executor, n, limit, &fn](auto handler) {
    using handler_type = decltype(handler);
    using state_type = detail::bounded_run_state<Fn, handler_type>;
    std::size_t workers = std::clamp<std::size_t>(limit, 1, n);
    auto state = std::make_shared<state_type>(n, workers, fn, std::move(handler));
    auto slot = asio::get_associated_cancellation_slot(*state->handler);
    if (slot.is_connected()) slot.assign([weak = std::weak_ptr<state_type>(state)](asio::cancellation_type) {
      if (auto s = weak.lock()) s->stop_all();
    });
    state->running = workers;
    for (std::size_t w = 0; w < workers; ++w) {
      asio::co_spawn(
          executor,
          [state]() -> asio::awaitable<void> {
            while (!state->cancelled && state->next < state->total) {
              std::size_t i = state->next++;
              co_await state->fn(i);
            }
          },
          asio::bind_cancellation_slot(state->cancel[w].slot(), [state](std::exception_ptr e) {
            if (e && !state->failure) {
              state->failure = e;
              state->stop_all();  // one failed worker ends the run
            }
            if (--state->running > 0) return;
            auto h = std::move(*state->handler);
            state->handler.reset();
            asio::get_associated_cancellation_slot(h).clear();
            std::move(h)(state->failure);
          }));
    }
  };
  // A worker's exception is rethrown here (use_awaitable throws a non-null exception_ptr).
  co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(initiation, asio::use_awaitable);
}

}  // namespace gitopsd
