#include "gitopsd/core/busy_watch.hpp"

#include <fmt/format.h>

namespace gitopsd {

bool overdue(steady_clock::time_point started, steady_clock::duration allowed, steady_clock::duration grace,
             steady_clock::time_point now) {
  return now - started > allowed + grace;
}

busy_watch::ticket& busy_watch::ticket::operator=(ticket&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void busy_watch::ticket::release() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->end(id_);
}

busy_watch::ticket busy_watch::begin(std::string what, steady_clock::duration allowed, steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_++;
  jobs_.emplace(id, job{std::move(what), now, allowed});
  return ticket(this, id);
}

void busy_watch::end(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  jobs_.erase(id);
}

std::optional<std::string> busy_watch::overdue_job(steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, j] : jobs_) {
    if (!overdue(j.started, j.allowed, grace_, now)) continue;
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    return fmt::format("{}, running {} s, allowed {} s", j.what, duration_cast<seconds>(now - j.started).count(),
                       duration_cast<seconds>(j.allowed).count());
  }
  return std::nullopt;
}

std::size_t busy_watch::running() const {
  std::lock_guard lock(mutex_);
  return jobs_.size();
}

}  // namespace gitopsd
