#include "operation.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>

namespace gitopsd::git {
namespace {

thread_local operation* current_op = nullptr;

// One background thread for all operations: sleeps until the earliest deadline or a poke.
class watchdog_thread {
 public:
  static watchdog_thread& instance() {
    static watchdog_thread w;
    return w;
  }
  void add(operation* op) {
    std::lock_guard lock(mutex_);
    ops_.insert(op);
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    wake_.notify_all();
  }
  void remove(operation* op) {
    std::lock_guard lock(mutex_);
    ops_.erase(op);
  }
  void poke() {
    std::lock_guard lock(mutex_);
    wake_.notify_all();
  }
  ~watchdog_thread() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
      wake_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!quit_) {
      auto next = operation::clock::time_point::max();
      for (auto* op : ops_) {
        if (op->current() == operation::state::running && op->should_stop()) continue;  // stopped now
        if (op->current() == operation::state::running) next = std::min(next, op->deadline());
      }
      if (next == operation::clock::time_point::max())
        wake_.wait(lock);
      else
        wake_.wait_until(lock, next);
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::set<operation*> ops_;
  std::thread thread_;
  bool quit_ = false;
};

}  // namespace

void cancel_signal::request() {
  flag_.store(true);
  watchdog::poke();
}

void watchdog::poke() { watchdog_thread::instance().poke(); }

operation::operation(clock::time_point deadline, std::shared_ptr<cancel_signal> cancel)
    : deadline_(deadline), cancel_(std::move(cancel)) {
  watchdog_thread::instance().add(this);
}

operation::~operation() { watchdog_thread::instance().remove(this); }

bool operation::should_stop() {
  if (state_.load() != state::running) return true;
  if (cancel_ && cancel_->requested()) {
    stop(state::cancelled);
    return true;
  }
  if (clock::now() >= deadline_) {
    stop(state::timed_out);
    return true;
  }
  return false;
}

bool operation::count_read(std::uint64_t n) {
  bytes_read_ += n;
  return !over_read_budget();
}

void operation::add_socket(int fd) {
  std::lock_guard lock(mutex_);
  sockets_.push_back(fd);
}

void operation::remove_socket(int fd) {
  std::lock_guard lock(mutex_);
  std::erase(sockets_, fd);
}

void operation::stop(state why) {
  state expected = state::running;
  state_.compare_exchange_strong(expected, why);
  std::lock_guard lock(mutex_);
  // shutdown (not close): the owner still closes the descriptor, blocked reads return at once.
  for (int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
}

operation* operation::current_on_thread() { return current_op; }

operation::scope::scope(operation& op) : previous(current_op) { current_op = &op; }
operation::scope::~scope() { current_op = previous; }

}  // namespace gitopsd::git
