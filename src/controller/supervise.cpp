#include "gitopsd/controller/supervise.hpp"

#include "gitopsd/core/log.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>

namespace gitopsd::controller {

namespace asio = boost::asio;

std::optional<std::string> task_failure(std::exception_ptr error, bool stopping) {
  if (stopping) return std::nullopt;  // cancelled or returned as asked
  if (!error) return "ended unexpectedly";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return std::string(e.what());
  } catch (...) {
    return "an unknown exception";
  }
}

void supervisor::spawn(const asio::any_io_executor& executor, std::string name, asio::awaitable<void> task,
                       asio::cancellation_slot slot) {
  ++alive_;
  asio::co_spawn(executor, std::move(task),
                 asio::bind_cancellation_slot(slot, [this, name = std::move(name)](std::exception_ptr error) {
                   ended(name, error);
                 }));
}

void supervisor::ended(const std::string& name, std::exception_ptr error) {
  --alive_;
  auto failure = task_failure(error, stopping_);
  if (!failure) {
    log::debug("task ended", {{"task", name}});
    return;
  }
  ++failures_;
  log::error("a long-lived task died", {{"task", name}, {"error", *failure}});
  on_failure_(name, *failure);
}

}  // namespace gitopsd::controller
