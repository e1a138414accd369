#include "gitopsd/controller/scheduler.hpp"

#include <algorithm>
#include <utility>

namespace gitopsd::controller {

scheduler::scheduler(std::function<double()> jitter) : jitter_(std::move(jitter)) {}

duration scheduler::jittered(duration d) {
  double extra = std::clamp(jitter_(), 0.0, 1.0) * 0.1;
  return d + std::chrono::duration_cast<duration>(std::chrono::duration<double, std::nano>(
                 static_cast<double>(d.count()) * extra));
}

void scheduler::set_due(items::iterator it, std::optional<clock::time_point> due) {
  schedule_item& item = it->second;
  if (item.due) {
    due_.erase({*item.due, &it->first});
    urgent_due_.erase({*item.due, &it->first});
  }
  item.due = due;
  if (due) (item.urgent_since ? urgent_due_ : due_).insert({*due, &it->first});
}

void scheduler::make_urgent(items::iterator it, clock::time_point now) {
  if (it->second.urgent_since) return;
  it->second.urgent_since = now;
  set_due(it, it->second.due);
}

void scheduler::set_running(schedule_item& item, bool running, bool waiting) {
  waiting = running && waiting;
  if (item.running) --(item.waiting ? waiting_ : active_);
  item.running = running;
  item.waiting = waiting;
  if (running) ++(waiting ? waiting_ : active_);
}

void scheduler::erase(items::iterator it) {
  set_due(it, std::nullopt);
  set_running(it->second, false, false);
  items_.erase(it);
}

void scheduler::observe(const std::string& key, const schedule_input& input, clock::time_point now) {
  auto [it, inserted] = items_.try_emplace(key);
  schedule_item& item = it->second;
  if (item.forgotten) {
    // Re-created while the deleted one's run unwinds: new to us, run once that run ends.
    set_due(it, std::nullopt);
    set_running(item, false, false);
    item = schedule_item{};
    set_running(item, true, false);
    inserted = true;
  }
  const schedule_input previous = item.input;
  item.input = input;

  // First sight (a new object, or every object after a restart) converges now, in turn; a
  // change someone asked for goes ahead of it.
  bool asked = input.deleting || (!inserted && (input.generation != previous.generation ||
                                                (!input.requested_at.empty() && input.requested_at != previous.requested_at) ||
                                                input.suspended != previous.suspended));
  bool urgent = inserted || asked;
  if (input.suspended && !input.deleting) {
    if (!item.running) {
      set_due(it, std::nullopt);
      item.urgent_since.reset();
    }
    return;
  }
  if (asked) make_urgent(it, now);
  if (urgent) item.asked_at = now;
  if (!urgent) {
    // A status write of our own, or a label change: keep the timer, but pick up a new interval.
    if (!item.due && !item.running) set_due(it, now + jittered(input.interval));
    return;
  }
  if (item.running) {
    item.rerun = true;
    return;
  }
  set_due(it, now);
}

void scheduler::forget(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  if (!it->second.running) {
    erase(it);
    return;
  }
  it->second.forgotten = true;
  it->second.rerun = false;
  set_due(it, std::nullopt);
}

bool scheduler::request_now(const std::string& key, clock::time_point now, request why) {
  auto it = items_.find(key);
  if (it == items_.end()) return false;
  schedule_item& item = it->second;
  if (item.forgotten || (item.input.suspended && !item.input.deleting)) return false;
  if (why == request::push) item.asked_at = now;
  if (why != request::dependency_ready) make_urgent(it, now);
  if (item.running) item.rerun = true;
  else set_due(it, now);
  return true;
}

void scheduler::set_waiting(const std::string& key, bool waiting) {
  auto it = items_.find(key);
  if (it != items_.end() && it->second.running) set_running(it->second, true, waiting);
}

std::vector<std::string> scheduler::take_due(clock::time_point now, std::size_t slots) {
  std::size_t held = slots_held(slots);
  std::size_t free = slots > held ? slots - held : 0;
  std::vector<std::string> out;
  while (out.size() < free) {
    bool urgent_ready = !urgent_due_.empty() && urgent_due_.begin()->first <= now;
    bool other_ready = !due_.empty() && due_.begin()->first <= now;
    if (!urgent_ready && !other_ready) break;
    bool urgent = urgent_ready && (!other_ready || !last_start_urgent_);
    last_start_urgent_ = urgent;
    auto it = items_.find(*(urgent ? urgent_due_ : due_).begin()->second);
    schedule_item& item = it->second;
    set_due(it, std::nullopt);
    set_running(item, true, false);
    item.run_urgent_since = std::exchange(item.urgent_since, std::nullopt);
    item.rerun = false;
    item.run_asked_at = item.asked_at;
    item.asked_at.reset();
    out.push_back(it->first);
  }
  return out;
}

duration scheduler::retry_delay(const schedule_input& input, int failures) {
  duration base = input.retry_interval > duration::zero() ? input.retry_interval : input.interval;
  duration cap = std::max(base, input.interval);
  duration delay = base;
  for (int i = 1; i < failures && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

void scheduler::finished(const std::string& key, bool succeeded, clock::time_point now) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  schedule_item& item = it->second;
  if (item.forgotten) {  // deleted while running, not re-created
    erase(it);
    return;
  }
  set_running(item, false, false);
  item.run_asked_at.reset();
  item.run_urgent_since.reset();
  item.failures = succeeded ? 0 : item.failures + 1;
  // A retry asks for the source as it is after the failure (a rerun keeps its own asked_at).
  if (!succeeded && !item.rerun) item.asked_at = now;
  if (item.rerun) {
    item.rerun = false;
    set_due(it, now);
    return;
  }
  item.urgent_since.reset();
  if (item.input.suspended && !item.input.deleting) {
    set_due(it, std::nullopt);
    return;
  }
  set_due(it, now + jittered(succeeded ? item.input.interval : retry_delay(item.input, item.failures)));
}

std::optional<clock::time_point> scheduler::next_wakeup(std::size_t slots) const {
  if (slots_held(slots) >= slots || (due_.empty() && urgent_due_.empty())) return std::nullopt;
  if (due_.empty()) return urgent_due_.begin()->first;
  if (urgent_due_.empty()) return due_.begin()->first;
  return std::min(due_.begin()->first, urgent_due_.begin()->first);
}

const schedule_item* scheduler::find(const std::string& key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

std::size_t scheduler::running() const { return active_ + waiting_; }

std::size_t scheduler::slots_held(std::size_t slots) const {
  // Waiting runs hold no slot up to as many as there are slots; past that they count again, so
  // at most twice `slots` runs (and their memory and API polling) are alive.
  return active_ + (waiting_ > slots ? waiting_ - slots : 0);
}

}  // namespace gitopsd::controller
