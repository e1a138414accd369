#pragma once
// One running libgit2 network operation: its deadline, its cancellation and the sockets it opened.
// libgit2 1.5 has no timeouts of its own, so the module registers a socket stream (see
// timed_stream.cpp) that waits with poll() against the deadline, and a watchdog thread that shuts the
// sockets down when the deadline passes or cancellation is requested; that also unblocks libssh2,
// which reads the socket directly.

#include "gitopsd/git/source.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

namespace gitopsd::git {

class operation {
 public:
  enum class state { running, timed_out, cancelled, over_budget };
  using clock = std::chrono::steady_clock;

  operation(clock::time_point deadline, std::shared_ptr<cancel_signal> cancel);
  ~operation();
  operation(const operation&) = delete;
  operation& operator=(const operation&) = delete;

  // True once the deadline passed or cancellation was requested (checks both on each call).
  bool should_stop();
  state current() const { return state_.load(); }
  clock::time_point deadline() const { return deadline_; }

  // Bytes this operation's socket streams (HTTP and HTTPS) may read in all; set before each phase.
  // A read past it fails, and over_read_budget() tells the session why.
  void set_read_budget(std::uint64_t total);
  [[nodiscard]] std::uint64_t bytes_read() const { return bytes_read_; }
  // Counts `n` bytes read; false once the total exceeds the budget.
  bool count_read(std::uint64_t n);
  [[nodiscard]] bool over_read_budget() const {
    return bytes_read_ > read_budget_ || state_.load() == state::over_budget;
  }
  // libssh2 reads its socket itself, past the stream: the watchdog holds such reads to the phase's
  // budget by the kernel's count of bytes received, with room for encryption and framing. True
  // when this phase received more than that (the watchdog then stops the operation).
  [[nodiscard]] bool over_wire_budget();
  [[nodiscard]] bool has_read_budget() const { return phase_room_.load() != UINT64_MAX; }

  void add_socket(int fd);
  void remove_socket(int fd);
  // Marks the operation stopped and shuts its sockets down; called by the watchdog.
  void stop(state why);

  // The operation running on this thread (set by `scope`), for the socket stream.
  static operation* current_on_thread();
  struct scope {
    explicit scope(operation& op);
    ~scope();
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
    operation* previous;
  };

 private:
  clock::time_point deadline_;
  std::shared_ptr<cancel_signal> cancel_;
  std::atomic<state> state_{state::running};
  // Read and written on the operation's own thread only (its streams run there).
  std::uint64_t read_budget_ = UINT64_MAX;
  std::uint64_t bytes_read_ = 0;
  // The phase's budget as the kernel counts: what it may receive, and the count at its start.
  [[nodiscard]] std::uint64_t wire_bytes_locked() const;
  std::atomic<std::uint64_t> phase_room_{UINT64_MAX};
  std::uint64_t phase_wire_start_ = 0;  // under mutex_
  std::uint64_t closed_wire_ = 0;       // received by sockets already closed, under mutex_
  mutable std::mutex mutex_;
  std::vector<int> sockets_;
};

// Whether `received` bytes on the wire exceed a phase allowed `room` bytes of payload: encryption,
// MACs and packet framing cost a few percent on top, and a phase without a budget has no limit.
[[nodiscard]] bool over_wire_allowance(std::uint64_t received, std::uint64_t room);

namespace watchdog {
// Wakes the watchdog so it re-checks cancellation flags now.
void poke();
}

}  // namespace gitopsd::git
