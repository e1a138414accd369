#include "gitopsd/core/wait.hpp"
#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/git/url.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>


namespace gitopsd::git {

namespace asio = boost::asio;

namespace {

// Runs `work(cancel)` on `pool` (libgit2 blocks) and resumes the awaiting coroutine on its own
// executor with the result. The coroutine's cancellation requests cancellation of the work.
// Not a coroutine itself: g++ 12 destroys lambda temporaries of a co_await expression twice.
template <class T, class Work>
asio::awaitable<T> on_pool(asio::thread_pool& pool, Work work) {
  auto initiation = [&pool](auto handler, Work w) {
    auto cancel = std::make_shared<cancel_signal>();
    auto slot = asio::get_associated_cancellation_slot(handler);
    if (slot.is_connected()) slot.assign([cancel](asio::cancellation_type) { cancel->request(); });
    auto guard = asio::make_work_guard(asio::get_associated_executor(handler));
    asio::post(pool, [cancel, w = std::move(w), handler = std::move(handler), guard = std::move(guard)]() mutable {
      // Nothing may escape a pool thread (it would end the process): an exception fails this request.
      T r = [&]() -> T {
        try {
          return w(cancel);
        } catch (const std::exception& e) {
          return make_error(errc::internal, std::string("Git operation failed: ") + e.what());
        } catch (...) {
          return make_error(errc::internal, "Git operation failed: unknown exception");
        }
      }();
      auto ex = guard.get_executor();
      asio::dispatch(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
        asio::get_associated_cancellation_slot(handler).clear();
        std::move(handler)(std::move(r));
      });
    });
  };
  return asio::async_initiate<decltype(asio::use_awaitable), void(T)>(std::move(initiation), asio::use_awaitable,
                                                                      std::move(work));
}

}  // namespace

// One request at a time per URL, in arrival order; the entry goes when nobody holds or waits.
struct source_cache::url_turns {
  explicit url_turns(const asio::any_io_executor& ex) : one(ex, 1) {}
  wait::semaphore one;
};

class source_cache::turn {
 public:
  turn(source_cache* owner, std::string key, wait::semaphore::permit p)
      : owner_(owner), key_(std::move(key)), permit_(std::move(p)) {}
  turn(turn&& other) noexcept
      : owner_(std::exchange(other.owner_, nullptr)), key_(std::move(other.key_)), permit_(std::move(other.permit_)) {}
  turn& operator=(turn&&) = delete;
  ~turn() {
    permit_.reset();
    if (owner_) owner_->end_turn(key_);
  }

 private:
  source_cache* owner_;
  std::string key_;
  wait::semaphore::permit permit_;
};

asio::awaitable<result<source_cache::turn>> source_cache::take_turn(const std::string& key) {
  auto& q = turns_[key];
  if (!q) q = std::make_shared<url_turns>(co_await asio::this_coro::executor);
  auto queue = q;  // the map entry may go while we wait
  auto permit = co_await queue->one.acquire();
  if (!permit) {
    end_turn(key);
    co_return make_error(errc::cancelled, "cancelled while waiting for another request on the same URL");
  }
  co_return turn(this, key, std::move(*permit));
}

void source_cache::end_turn(const std::string& key) {
  auto it = turns_.find(key);
  if (it != turns_.end() && it->second->one.idle(1)) turns_.erase(it);
}

template <class T, class Blocking>
asio::awaitable<result<T>> source_cache::in_turn(const source_spec& spec, asio::thread_pool& pool, Blocking work) {
  auto url = parse_url(spec.url, spec.allow_file);
  if (!url) co_return url.error();
  auto my_turn = co_await take_turn(url->cache_key);
  if (!my_turn) co_return my_turn.error();
  auto op = on_pool<result<T>>(pool, std::move(work));
  co_return co_await std::move(op);
}

asio::awaitable<result<snapshot>> source_cache::fetch_async(source_spec spec, asio::thread_pool& pool) {
  auto work = [this, spec](std::shared_ptr<cancel_signal> c) {
    auto busy = spec.watch ? spec.watch() : busy_watch::ticket{};
    return fetch(spec, std::move(c));
  };
  auto op = in_turn<snapshot>(spec, pool, std::move(work));
  co_return co_await std::move(op);
}

asio::awaitable<result<remote_revision>> source_cache::poll_async(source_spec spec, asio::thread_pool& pool) {
  auto work = [this, spec](std::shared_ptr<cancel_signal> c) {
    auto busy = spec.watch ? spec.watch() : busy_watch::ticket{};
    return poll(spec, std::move(c));
  };
  auto op = in_turn<remote_revision>(spec, pool, std::move(work));
  co_return co_await std::move(op);
}

}  // namespace gitopsd::git
