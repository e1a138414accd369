#include "gitopsd/sync/wait.hpp"

#include "gitopsd/core/bounded.hpp"
#include "gitopsd/sync/health.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

namespace gitopsd::sync {
namespace {

namespace asio = boost::asio;

const char* describe(wait_errc e) {
  return e == wait_errc::failed ? "an object failed" : "objects did not become ready in time";
}
constexpr char category_name[] = "gitopsd.sync.wait";
using category = enum_category<wait_errc, category_name, describe>;

constexpr std::size_t listed = 5;

}  // namespace

asio::awaitable<result<void>> wait_healthy(kube::client& client, const std::vector<object_ref>& objects,
                                           std::chrono::steady_clock::time_point deadline, std::size_t in_flight,
                                           const std::function<void(const std::string&)>& progress) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  std::vector<object_ref> waiting = objects;
  auto interval = std::chrono::milliseconds(500);
  for (;;) {
    std::vector<health> states(waiting.size(), health{health_status::in_progress, "not checked"});
    auto work = [&](std::size_t i) -> asio::awaitable<void> {
      auto live = co_await client.get(waiting[i]);
      states[i] = live ? assess_health(*live) : health{health_status::in_progress, live.error().what()};
    };
    co_await for_each_bounded(waiting.size(), in_flight, work);
    std::vector<object_ref> still;
    std::string reasons;
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (states[i].status == health_status::failed)
        co_return make_error(category::code(wait_errc::failed), fmt::format("{} failed: {}", waiting[i].display(), states[i].message));
      if (states[i].status == health_status::current) continue;
      if (still.size() < listed)
        reasons += fmt::format("{}{} ({})", reasons.empty() ? "" : ", ", waiting[i].display(), states[i].message);
      still.push_back(waiting[i]);
    }
    if (still.empty()) co_return result<void>{};
    if (still.size() > listed) reasons += fmt::format(" and {} more", still.size() - listed);
    if (std::chrono::steady_clock::now() + interval > deadline)
      co_return make_error(category::code(wait_errc::not_ready), fmt::format("not ready in time: {}", reasons));
    if (progress) progress(fmt::format("waiting for {} of {} objects to become ready", still.size(), objects.size()));
    waiting = std::move(still);
    timer.expires_after(interval);
    co_await timer.async_wait(asio::use_awaitable);
    interval = std::min(interval * 2, std::chrono::milliseconds(5000));
  }
}

}  // namespace gitopsd::sync
