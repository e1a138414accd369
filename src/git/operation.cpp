#include "operation.hpp"

#include "socket_bytes.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <set>
#include <thread>

namespace gitopsd::git {
namespace {

thread_local operation* current_op = nullptr;

// How often the watchdog reads the kernel's byte counts of running operations: an endless SSH
// ref advertisement over loopback grows by some tens of MiB in that time at most.
constexpr auto wire_check_period = std::chrono::milliseconds(20);

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
        if (op->current() != operation::state::running) continue;
        if (op->over_wire_budget()) {
          op->stop(operation::state::over_budget);
          continue;
        }
        next = std::min(next, op->deadline());
        if (op->has_read_budget()) next = std::min(next, operation::clock::now() + wire_check_period);
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

void operation::set_read_budget(std::uint64_t total) {
  read_budget_ = total;
  {
    std::lock_guard lock(mutex_);
    phase_wire_start_ = wire_bytes_locked();
    phase_room_ = total > bytes_read_ ? total - bytes_read_ : 0;
  }
  // Outside our lock: the watchdog takes its own, then ours. It starts reading the wire now.
  watchdog::poke();
}

std::uint64_t operation::wire_bytes_locked() const {
  std::uint64_t total = closed_wire_;
  for (int fd : sockets_) total += socket_bytes_received(fd);
  return total;
}

bool over_wire_allowance(std::uint64_t received, std::uint64_t room) {
  if (room == UINT64_MAX) return false;
  std::uint64_t slack = room / 8 + (1u << 20);
  return received > room && received - room > slack;
}

bool operation::over_wire_budget() {
  std::uint64_t room = phase_room_.load();
  if (room == UINT64_MAX) return false;
  std::lock_guard lock(mutex_);
  return over_wire_allowance(wire_bytes_locked() - phase_wire_start_, room);
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
  if (std::find(sockets_.begin(), sockets_.end(), fd) == sockets_.end()) return;
  closed_wire_ += socket_bytes_received(fd);
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
