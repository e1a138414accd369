#include "gitopsd/controller/scheduler.hpp"

#include <algorithm>

namespace gitopsd::controller {

scheduler::scheduler(std::function<double()> jitter) : jitter_(std::move(jitter)) {}

duration scheduler::jittered(duration d) {
  double extra = std::clamp(jitter_(), 0.0, 1.0) * 0.1;
  return d + std::chrono::duration_cast<duration>(std::chrono::duration<double, std::nano>(
                 static_cast<double>(d.count()) * extra));
}

void scheduler::observe(const std::string& key, const schedule_input& input, clock::time_point now) {
  auto [it, inserted] = items_.try_emplace(key);
  schedule_item& item = it->second;
  if (item.forgotten) {
    // Re-created while the deleted one's run unwinds: new to us, run once that run ends.
    item = schedule_item{};
    item.running = true;
    inserted = true;
  }
  const schedule_input previous = item.input;
  item.input = input;

  bool urgent = input.deleting;
  if (inserted) {
    // First sight (a new object, or every object after a restart): converge now.
    urgent = true;
  } else {
    urgent = urgent || input.generation != previous.generation ||
             (!input.requested_at.empty() && input.requested_at != previous.requested_at) ||
             input.suspended != previous.suspended;
  }
  if (input.suspended && !input.deleting) {
    if (!item.running) item.due.reset();
    return;
  }
  if (urgent) item.asked_at = now;
  if (!urgent) {
    // A status write of our own, or a label change: keep the timer, but pick up a new interval.
    if (!item.due && !item.running) item.due = now + jittered(input.interval);
    return;
  }
  if (item.running) {
    item.rerun = true;
    return;
  }
  item.due = now;
}

void scheduler::forget(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  if (!it->second.running) {
    items_.erase(it);
    return;
  }
  it->second.forgotten = true;
  it->second.rerun = false;
  it->second.due.reset();
}

bool scheduler::request_now(const std::string& key, clock::time_point now, bool source_may_have_changed) {
  auto it = items_.find(key);
  if (it == items_.end()) return false;
  schedule_item& item = it->second;
  if (item.forgotten || (item.input.suspended && !item.input.deleting)) return false;
  if (source_may_have_changed) item.asked_at = now;
  if (item.running) item.rerun = true;
  else item.due = now;
  return true;
}

void scheduler::set_waiting(const std::string& key, bool waiting) {
  auto it = items_.find(key);
  if (it != items_.end() && it->second.running) it->second.waiting = waiting;
}

std::vector<std::string> scheduler::take_due(clock::time_point now, std::size_t slots) {
  std::vector<std::pair<clock::time_point, const std::string*>> ready;
  for (auto& [key, item] : items_)
    if (!item.running && item.due && *item.due <= now) ready.emplace_back(*item.due, &key);
  std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : *a.second < *b.second;
  });
  std::size_t held = slots_held(slots);
  std::size_t free = slots > held ? slots - held : 0;
  std::vector<std::string> out;
  for (const auto& [when, key] : ready) {
    if (out.size() >= free) break;
    schedule_item& item = items_.at(*key);
    item.running = true;
    item.rerun = false;
    item.due.reset();
    item.run_asked_at = item.asked_at;
    item.asked_at.reset();
    out.push_back(*key);
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
    items_.erase(it);
    return;
  }
  item.running = false;
  item.waiting = false;
  item.run_asked_at.reset();
  item.failures = succeeded ? 0 : item.failures + 1;
  // A retry asks for the source as it is after the failure (a rerun keeps its own asked_at).
  if (!succeeded && !item.rerun) item.asked_at = now;
  if (item.rerun) {
    item.rerun = false;
    item.due = now;
    return;
  }
  if (item.input.suspended && !item.input.deleting) {
    item.due.reset();
    return;
  }
  item.due = now + jittered(succeeded ? item.input.interval : retry_delay(item.input, item.failures));
}

std::optional<clock::time_point> scheduler::next_wakeup(std::size_t slots) const {
  std::optional<clock::time_point> next;
  if (slots_held(slots) >= slots) return next;
  for (const auto& [key, item] : items_)
    if (!item.running && item.due && (!next || *item.due < *next)) next = item.due;
  return next;
}

const schedule_item* scheduler::find(const std::string& key) const {
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : &it->second;
}

std::size_t scheduler::running() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [](const auto& kv) { return kv.second.running; }));
}

std::size_t scheduler::slots_held(std::size_t slots) const {
  std::size_t active = 0, waiting = 0;
  for (const auto& [key, item] : items_) {
    if (!item.running) continue;
    ++(item.waiting ? waiting : active);
  }
  // Waiting runs hold no slot up to as many as there are slots; past that they count again, so
  // at most twice `slots` runs (and their memory and API polling) are alive.
  return active + (waiting > slots ? waiting - slots : 0);
}

}  // namespace gitopsd::controller
