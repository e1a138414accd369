#pragma once
// When each GitRepository reconciles: a pure state machine, driven by watch events, finished
// reconciles and the clock, and tested without any I/O. The agent asks it what is due now and
// when to wake up next.

#include "gitopsd/core/duration.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gitopsd::controller {

using clock = std::chrono::steady_clock;

// What the scheduler needs to know of one GitRepository, as the watch last saw it.
struct schedule_input {
  std::int64_t generation = 0;
  std::string requested_at;          // annotation gitopsd.io/requestedAt
  std::int64_t observed_generation = 0;  // status, as left by the last reconcile (maybe another process)
  std::string handled_requested_at;  // status.lastHandledReconcileAt
  bool suspended = false;
  bool deleting = false;
  duration interval = std::chrono::minutes(5);
  duration retry_interval = duration::zero();  // zero: the interval
};

struct schedule_item {
  schedule_input input;
  std::optional<clock::time_point> due;  // none: nothing scheduled (suspended)
  bool running = false;
  bool waiting = false;  // running, in a health wait: holds no slot
  bool rerun = false;  // something changed while running: run again right after
  int failures = 0;
  // Deleted while its reconcile still unwinds: the entry stays (running) until that run ends, so
  // an object re-created meanwhile waits for it instead of running twice at once.
  bool forgotten = false;
  // When the latest reason to run ahead of the interval arrived (first sight, a spec change, a
  // requestedAt, a webhook, a failure to retry); none: only the interval is due. A run started
  // for such a reason must see the source as it was at that time or later.
  std::optional<clock::time_point> asked_at;
  std::optional<clock::time_point> run_asked_at;  // asked_at of the run in progress
  // Since when it is urgent: asked for by a person or a change in the cluster (requestedAt, a
  // spec change, suspend or resume, deletion, a webhook, drift). Runs before first sights,
  // intervals, retries and dependents, so a fleet syncing does not keep it waiting. Cleared when
  // it starts.
  std::optional<clock::time_point> urgent_since;
  std::optional<clock::time_point> run_urgent_since;  // urgent_since of the run in progress
};

class scheduler {
 public:
  // `jitter` returns a number in [0, 1); intervals are stretched by up to 10% of it so a fleet
  // of objects created together does not poll in lockstep.
  explicit scheduler(std::function<double()> jitter);
  scheduler(const scheduler&) = delete;  // the due index points into the items
  scheduler& operator=(const scheduler&) = delete;

  // A watch event (added or modified). Runs at once on a new generation, a new requestedAt,
  // deletion, or when first seen; otherwise keeps the timer.
  void observe(const std::string& key, const schedule_input& input, clock::time_point now);
  // The object is gone; a running reconcile keeps its entry until finished() (see `forgotten`).
  void forget(const std::string& key);

  // Why a run is requested ahead of its timer.
  enum class request {
    push,              // a push webhook: urgent; the source may have changed (asked_at)
    drift,             // a change in the cluster: urgent; a listing made before it still answers
    dependency_ready,  // a dependency turned Ready: in turn with the rest; the source is unchanged
  };
  // Run now: due at once, or right after the run in progress. A suspended item stays suspended.
  // Returns false when there is nothing to run (unknown or suspended).
  bool request_now(const std::string& key, clock::time_point now, request why);

  // A running reconcile entered (true) or left (false) its health wait: while it waits, it does
  // not hold one of the slots.
  void set_waiting(const std::string& key, bool waiting);

  // Keys due at `now`, oldest first, at most `slots`; they are marked running (their asked_at
  // moves to run_asked_at). Urgent ones go first, but never two urgent starts in a row while others are
  // due: an urgent run waits for at most one other start, and a tenant asking all the time cannot
  // take every slot from the rest.
  std::vector<std::string> take_due(clock::time_point now, std::size_t slots);

  // A reconcile ended. Success: next run after the interval; failure: after the retry interval,
  // doubled for each further failure in a row, never longer than the interval.
  void finished(const std::string& key, bool succeeded, clock::time_point now);

  // The earliest due time of an item that is not running, when one of `slots` is free. With every
  // slot busy there is nothing to wake up for until a reconcile finishes: a due time already
  // past would otherwise wake the caller again at once, and again.
  [[nodiscard]] std::optional<clock::time_point> next_wakeup(std::size_t slots) const;
  [[nodiscard]] const schedule_item* find(const std::string& key) const;
  [[nodiscard]] std::size_t running() const;
  // Of `slots`, how many the running reconciles hold (those in a health wait hold none, up to
  // `slots` of them).
  [[nodiscard]] std::size_t slots_held(std::size_t slots) const;

  // The backoff for the n-th failure in a row (n >= 1), without jitter.
  static duration retry_delay(const schedule_input& input, int failures);

 private:
  using items = std::map<std::string, schedule_item>;
  // Items that are due, by due time then key, urgent ones apart: a fleet of thousands makes a
  // scan per dispatch cost more than the dispatch. Every change of `due`, `urgent`, `running` and
  // `waiting` goes through these.
  struct due_order {
    bool operator()(const std::pair<clock::time_point, const std::string*>& a,
                    const std::pair<clock::time_point, const std::string*>& b) const {
      return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    }
  };
  void set_due(items::iterator it, std::optional<clock::time_point> due);
  // Urgent from `now` (kept if already); moves a due item to the urgent index.
  void make_urgent(items::iterator it, clock::time_point now);
  void set_running(schedule_item& item, bool running, bool waiting);
  void erase(items::iterator it);

  duration jittered(duration d);
  items items_;
  using due_index = std::set<std::pair<clock::time_point, const std::string*>, due_order>;
  due_index due_, urgent_due_;
  std::size_t active_ = 0, waiting_ = 0;  // running items outside and inside a health wait
  bool last_start_urgent_ = false;
  std::function<double()> jitter_;
};

}  // namespace gitopsd::controller
