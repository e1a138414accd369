#pragma once
// Long-lived tasks (watches, dispatcher, elector, HTTP listener) run until the process stops. One
// that throws, or returns while the process is not stopping, has died: the supervisor logs the
// error and reports it, so the process can fail /healthz and exit non-zero instead of serving on
// with a part missing.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>

namespace gitopsd::controller {

// Pure: why a task that ended this way has died, or nothing when it ended as asked.
std::optional<std::string> task_failure(std::exception_ptr error, bool stopping);

class supervisor {
 public:
  using failure_handler = std::function<void(const std::string& task, const std::string& error)>;
  explicit supervisor(failure_handler on_failure) : on_failure_(std::move(on_failure)) {}

  // Starts `task` on `executor`; `slot` (optional) cancels it.
  void spawn(const boost::asio::any_io_executor& executor, std::string name, boost::asio::awaitable<void> task,
             boost::asio::cancellation_slot slot = {});

  // From now on tasks may end: the process is stopping.
  void stopping() { stopping_ = true; }
  // No task has died.
  [[nodiscard]] bool healthy() const { return failures_ == 0; }
  // Tasks started and not ended yet.
  [[nodiscard]] std::size_t alive() const { return alive_; }

 private:
  void ended(const std::string& name, std::exception_ptr error);
  failure_handler on_failure_;
  bool stopping_ = false;
  std::size_t alive_ = 0;
  std::size_t failures_ = 0;
};

}  // namespace gitopsd::controller
