#include "gitopsd/git/source.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
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
      T r = w(cancel);
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

asio::awaitable<result<snapshot>> source_cache::fetch_async(source_spec spec, asio::thread_pool& pool) {
  return on_pool<result<snapshot>>(
      pool, [this, spec = std::move(spec)](std::shared_ptr<cancel_signal> c) { return fetch(spec, std::move(c)); });
}

asio::awaitable<result<remote_revision>> source_cache::poll_async(source_spec spec, asio::thread_pool& pool) {
  return on_pool<result<remote_revision>>(
      pool, [this, spec = std::move(spec)](std::shared_ptr<cancel_signal> c) { return poll(spec, std::move(c)); });
}

}  // namespace gitopsd::git
