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

asio::awaitable<result<snapshot>> source_cache::fetch_async(source_spec spec, asio::thread_pool& pool) {
  auto cancel = std::make_shared<cancel_signal>();
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(result<snapshot>)>(
      [this, &pool, cancel](auto handler, source_spec s) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (slot.is_connected()) slot.assign([cancel](asio::cancellation_type) { cancel->request(); });
        auto work = asio::make_work_guard(asio::get_associated_executor(handler));
        // libgit2 blocks: run it on the pool, then resume the caller on its own executor.
        asio::post(pool, [this, cancel, spec = std::move(s), handler = std::move(handler),
                          work = std::move(work)]() mutable {
          result<snapshot> r = fetch(spec, cancel);
          auto ex = work.get_executor();
          asio::dispatch(ex, [handler = std::move(handler), r = std::move(r)]() mutable {
            asio::get_associated_cancellation_slot(handler).clear();
            std::move(handler)(std::move(r));
          });
        });
      },
      asio::use_awaitable, std::move(spec));
}

}  // namespace gitopsd::git
