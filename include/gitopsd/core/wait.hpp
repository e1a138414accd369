#pragma once
// The one toolkit for waiting inside the event loop: a one-shot signal, a FIFO semaphore and a
// deadline runner. Each wait ends when what it waits for happens or when the waiting coroutine is
// cancelled, and none of them changes the caller's cancellation state: a cancelled caller stays
// cancelled, so its next asynchronous step throws and nothing more happens on its behalf.
// Single-threaded: every call comes from the executor the objects were made with.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <optional>

namespace gitopsd::wait {

// Set once; wakes every waiter, present and future.
class signal {
 public:
  explicit signal(const boost::asio::any_io_executor& executor) : channel_(executor) {}
  signal(const signal&) = delete;
  signal& operator=(const signal&) = delete;

  void set() {
    if (set_) return;
    set_ = true;
    channel_.close();  // every pending and later receive completes at once
  }
  [[nodiscard]] bool is_set() const { return set_; }

  // True once set; false when the caller was cancelled first.
  boost::asio::awaitable<bool> wait() {
    if (set_) co_return true;
    co_await channel_.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    co_return set_;
  }

 private:
  boost::asio::experimental::channel<void(boost::system::error_code)> channel_;
  bool set_ = false;
};

// Counted permits handed out in arrival order. A permit released to a waiter that is being
// cancelled at the same moment is not lost: that waiter gets it and its guard passes it on.
class semaphore {
 public:
  class permit {
   public:
    permit() = default;
    explicit permit(semaphore* owner) : owner_(owner) {}
    permit(permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    permit& operator=(permit&& other) noexcept {
      if (this != &other) {
        reset();
        owner_ = std::exchange(other.owner_, nullptr);
      }
      return *this;
    }
    ~permit() { reset(); }
    void reset() {
      if (owner_ != nullptr) std::exchange(owner_, nullptr)->release();
    }
    [[nodiscard]] bool held() const { return owner_ != nullptr; }

   private:
    semaphore* owner_ = nullptr;
  };

  semaphore(const boost::asio::any_io_executor& executor, std::size_t permits)
      : executor_(executor), available_(permits) {}
  semaphore(const semaphore&) = delete;
  semaphore& operator=(const semaphore&) = delete;

  std::optional<permit> try_acquire() {
    if (!waiters_.empty() || available_ == 0) return std::nullopt;
    --available_;
    return permit(this);
  }

  // A permit, or nothing when the caller was cancelled while waiting.
  boost::asio::awaitable<std::optional<permit>> acquire() {
    if (auto p = try_acquire()) co_return std::move(p);
    auto w = std::make_shared<waiter>(executor_);
    waiters_.push_back(w);
    co_await w->channel.async_receive(boost::asio::as_tuple(boost::asio::use_awaitable));
    if (w->granted) co_return permit(this);
    std::erase(waiters_, w);
    co_return std::nullopt;
  }

  [[nodiscard]] std::size_t available() const { return available_; }
  [[nodiscard]] std::size_t waiting() const { return waiters_.size(); }
  // No permit out and nobody waiting.
  [[nodiscard]] bool idle(std::size_t permits) const { return waiters_.empty() && available_ == permits; }

 private:
  struct waiter {
    explicit waiter(const boost::asio::any_io_executor& ex) : channel(ex, 1) {}
    boost::asio::experimental::channel<void(boost::system::error_code)> channel;
    bool granted = false;
  };

  void release() {
    if (waiters_.empty()) {
      ++available_;
      return;
    }
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;  // the permit passes straight on
    next->channel.try_send(boost::system::error_code{});
  }

  boost::asio::any_io_executor executor_;
  std::size_t available_;
  std::deque<std::shared_ptr<waiter>> waiters_;
};

// How a deadline-bounded run ended.
template <class T>
struct bounded_run {
  std::optional<T> value;        // set when the work returned
  std::exception_ptr failure;    // set when it threw (also after a timeout: it was cancelled)
  bool timed_out = false;        // the deadline passed first; the work was cancelled and has ended
};

// Runs `work` in a coroutine of its own. When `limit` passes first, the work is cancelled
// (terminal) and still awaited to its end, so it can refer to the caller's state. An exception
// is returned as soon as it happens, not at the deadline. Cancelling the caller cancels the work
// the same way (then timed_out stays false and the caller, still cancelled, learns it at its next
// step).
template <class T>
boost::asio::awaitable<bounded_run<T>> run_within(boost::asio::awaitable<T> work, std::chrono::steady_clock::duration limit) {
  namespace asio = boost::asio;
  auto executor = co_await asio::this_coro::executor;
  struct shared {
    explicit shared(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    asio::cancellation_signal stop;
    bool timed_out = false;
    bool finished = false;
  };
  auto state = std::make_shared<shared>(executor);
  state->timer.expires_after(limit);
  state->timer.async_wait([state](boost::system::error_code ec) {
    if (ec || state->finished) return;
    state->timed_out = true;
    state->stop.emit(asio::cancellation_type::terminal);
  });
  // The caller's own cancellation reaches the work through the same signal.
  auto caller = co_await asio::this_coro::cancellation_state;
  auto caller_slot = caller.slot();
  if (caller_slot.is_connected())
    caller_slot.assign([state](asio::cancellation_type type) { state->stop.emit(type); });
  bounded_run<T> out;
  auto [failure, value] = co_await asio::co_spawn(
      executor, std::move(work), asio::bind_cancellation_slot(state->stop.slot(), asio::as_tuple(asio::use_awaitable)));
  if (caller_slot.is_connected()) caller_slot.clear();
  state->finished = true;
  state->timer.cancel();
  out.timed_out = state->timed_out;
  out.failure = failure;
  if (!failure) out.value = std::move(value);
  co_return out;
}

}  // namespace gitopsd::wait
