#pragma once
// Work on the thread pool (Git operations, renders), each with the time it may take: a job still
// running well past that means a pool thread is stuck, and /healthz fails so that the kubelet
// restarts the process (a stuck pool stops every GitRepository while the event loop looks fine).

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace gitopsd {

using steady_clock = std::chrono::steady_clock;

// Pure: is a job that started at `started` and was allowed `allowed` overdue at `now`?
bool overdue(steady_clock::time_point started, steady_clock::duration allowed, steady_clock::duration grace,
             steady_clock::time_point now);

class busy_watch {
 public:
  explicit busy_watch(steady_clock::duration grace = std::chrono::seconds(60)) : grace_(grace) {}

  // Held for as long as the job runs; moving it keeps the job registered once.
  class ticket {
   public:
    ticket() = default;
    ticket(busy_watch* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    ticket(ticket&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}
    ticket& operator=(ticket&& other) noexcept;
    ~ticket() { release(); }

   private:
    void release();
    busy_watch* owner_ = nullptr;
    std::uint64_t id_ = 0;
  };

  ticket begin(std::string what, steady_clock::duration allowed, steady_clock::time_point now = steady_clock::now());

  // The first overdue job ("render of ns/name, running 412 s, allowed 60 s"), if any.
  std::optional<std::string> overdue_job(steady_clock::time_point now = steady_clock::now()) const;

  std::size_t running() const;

 private:
  struct job {
    std::string what;
    steady_clock::time_point started;
    steady_clock::duration allowed;
  };
  void end(std::uint64_t id);

  steady_clock::duration grace_;
  mutable std::mutex mutex_;
  std::map<std::uint64_t, job> jobs_;
  std::uint64_t next_ = 1;
};

}  // namespace gitopsd
