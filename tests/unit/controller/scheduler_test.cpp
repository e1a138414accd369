#include "gitopsd/controller/scheduler.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <tuple>

using namespace std::chrono_literals;
using namespace gitopsd::controller;

namespace {
clock::time_point t0{};

schedule_input repo(std::int64_t generation = 1) {
  schedule_input in;
  in.generation = generation;
  in.interval = 5min;
  in.retry_interval = 30s;
  return in;
}

scheduler no_jitter() {
  return scheduler([] { return 0.0; });
}
}  // namespace

TEST_CASE("a new object reconciles at once, then every interval", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a/app", repo(), t0);
  CHECK(s.next_wakeup(4) == t0);
  REQUIRE(s.take_due(t0, 4) == std::vector<std::string>{"a/app"});
  CHECK(s.take_due(t0, 4).empty());  // running: not handed out twice
  CHECK_FALSE(s.next_wakeup(4));
  s.finished("a/app", true, t0 + 2s);
  CHECK(s.next_wakeup(4) == t0 + 2s + 5min);
  CHECK(s.take_due(t0 + 4min, 4).empty());
  CHECK(s.take_due(t0 + 2s + 5min, 4) == std::vector<std::string>{"a/app"});
}

TEST_CASE("status writes and unchanged specs keep the timer", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a/app", repo(), t0);
  s.take_due(t0, 1);
  s.finished("a/app", true, t0);
  auto in = repo();
  in.observed_generation = 1;  // our own status patch comes back through the watch
  s.observe("a/app", in, t0 + 1s);
  CHECK(s.next_wakeup(4) == t0 + 5min);
}

TEST_CASE("a spec change or a new requestedAt runs now", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a/app", repo(1), t0);
  s.take_due(t0, 1);
  s.finished("a/app", true, t0);
  s.observe("a/app", repo(2), t0 + 10s);
  CHECK(s.next_wakeup(4) == t0 + 10s);
  s.take_due(t0 + 10s, 1);
  s.finished("a/app", true, t0 + 11s);
  auto poked = repo(2);
  poked.requested_at = "2026-11-26T10:00:00Z";
  s.observe("a/app", poked, t0 + 20s);
  CHECK(s.next_wakeup(4) == t0 + 20s);
  s.take_due(t0 + 20s, 1);
  s.finished("a/app", true, t0 + 21s);
  s.observe("a/app", poked, t0 + 30s);  // same value again: nothing new to do
  CHECK(s.next_wakeup(4) == t0 + 21s + 5min);
}

TEST_CASE("a change while running reruns right after", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a/app", repo(1), t0);
  s.take_due(t0, 1);
  s.observe("a/app", repo(2), t0 + 1s);
  CHECK(s.take_due(t0 + 1s, 4).empty());
  s.finished("a/app", true, t0 + 3s);
  CHECK(s.next_wakeup(4) == t0 + 3s);
}

TEST_CASE("failures back off from retryInterval up to the interval", "[scheduler]") {
  auto in = repo();
  CHECK(scheduler::retry_delay(in, 1) == 30s);
  CHECK(scheduler::retry_delay(in, 2) == 60s);
  CHECK(scheduler::retry_delay(in, 3) == 120s);
  CHECK(scheduler::retry_delay(in, 5) == 5min);
  CHECK(scheduler::retry_delay(in, 50) == 5min);
  in.retry_interval = 0s;
  CHECK(scheduler::retry_delay(in, 3) == 5min);
  in.retry_interval = 10min;  // longer than the interval: taken as given
  CHECK(scheduler::retry_delay(in, 3) == 10min);

  auto s = no_jitter();
  s.observe("a/app", repo(), t0);
  s.take_due(t0, 1);
  s.finished("a/app", false, t0);
  CHECK(s.next_wakeup(4) == t0 + 30s);
  s.take_due(t0 + 30s, 1);
  s.finished("a/app", false, t0 + 30s);
  CHECK(s.next_wakeup(4) == t0 + 90s);
  CHECK(s.find("a/app")->failures == 2);
  s.take_due(t0 + 90s, 1);
  s.finished("a/app", true, t0 + 90s);
  CHECK(s.find("a/app")->failures == 0);
  CHECK(s.next_wakeup(4) == t0 + 90s + 5min);
}

TEST_CASE("suspend stops scheduling, resume runs at once", "[scheduler]") {
  auto s = no_jitter();
  auto in = repo();
  in.suspended = true;
  s.observe("a/app", in, t0);
  CHECK_FALSE(s.next_wakeup(4));
  in.suspended = false;
  s.observe("a/app", in, t0 + 1min);
  CHECK(s.next_wakeup(4) == t0 + 1min);
}

TEST_CASE("deletion runs even when suspended", "[scheduler]") {
  auto s = no_jitter();
  auto in = repo();
  in.suspended = true;
  s.observe("a/app", in, t0);
  in.deleting = true;
  s.observe("a/app", in, t0 + 1s);
  CHECK(s.next_wakeup(4) == t0 + 1s);
}

TEST_CASE("concurrency is bounded and the oldest due runs first", "[scheduler]") {
  auto s = no_jitter();
  s.observe("b", repo(), t0 + 2s);
  s.observe("a", repo(), t0 + 1s);
  s.observe("c", repo(), t0 + 3s);
  CHECK(s.take_due(t0 + 5s, 2) == std::vector<std::string>{"a", "b"});
  CHECK(s.running() == 2);
  CHECK(s.take_due(t0 + 5s, 2).empty());
  s.finished("a", true, t0 + 6s);
  CHECK(s.take_due(t0 + 6s, 2) == std::vector<std::string>{"c"});
}

TEST_CASE("what someone asked for runs before a fleet's backlog of first sights and intervals", "[scheduler]") {
  auto s = no_jitter();
  for (int i = 0; i < 100; ++i) s.observe("fleet/app-" + std::to_string(100 + i), repo(), t0 + std::chrono::milliseconds(i));
  s.observe("team/urgent", repo(), t0);
  REQUIRE(s.take_due(t0 + 1s, 1) == std::vector<std::string>{"fleet/app-100"});
  // A requestedAt and a drift repair (request_now without a source change) jump the queue.
  auto asked = repo();
  asked.requested_at = "now";
  s.observe("team/urgent", asked, t0 + 2s);
  s.request_now("fleet/app-150", t0 + 3s, scheduler::request::drift);
  // A dependency turning Ready starts its dependent in turn, not ahead.
  s.request_now("fleet/app-160", t0 + 3s, scheduler::request::dependency_ready);
  // Urgent first, but never two urgent starts in a row while others are due.
  CHECK(s.take_due(t0 + 4s, 4) == std::vector<std::string>{"team/urgent", "fleet/app-101", "fleet/app-150"});
  CHECK(s.find("fleet/app-150")->run_urgent_since == t0 + 3s);  // the wait is measured from here
  CHECK_FALSE(s.find("fleet/app-101")->run_urgent_since);
  // Started: no longer ahead. Its next interval run waits in turn.
  CHECK_FALSE(s.find("team/urgent")->urgent_since);
  s.finished("team/urgent", true, t0 + 5s);
  CHECK_FALSE(s.find("team/urgent")->urgent_since);
  // A request while running: the rerun right after is still ahead of the backlog.
  s.finished("fleet/app-101", true, t0 + 5s);
  s.finished("fleet/app-100", true, t0 + 5s);
  REQUIRE(s.take_due(t0 + 6s, 2) == std::vector<std::string>{"fleet/app-102"});
  s.request_now("fleet/app-102", t0 + 6s, scheduler::request::push);
  s.finished("fleet/app-102", true, t0 + 7s);
  CHECK(s.take_due(t0 + 7s, 2) == std::vector<std::string>{"fleet/app-102"});
  // A spec change (new generation) is asked for too; the last start was urgent, so one other
  // start goes first.
  s.observe("fleet/app-199", repo(2), t0 + 8s);
  s.finished("fleet/app-102", true, t0 + 8s);
  CHECK(s.take_due(t0 + 8s, 2) == std::vector<std::string>{"fleet/app-103"});
  s.finished("fleet/app-103", true, t0 + 9s);
  CHECK(s.take_due(t0 + 9s, 2) == std::vector<std::string>{"fleet/app-199"});
}

TEST_CASE("a tenant asking all the time takes at most every other start from the rest", "[scheduler]") {
  auto s = no_jitter();
  constexpr std::size_t slots = 4;
  std::vector<std::string> noisy, quiet;
  for (int i = 0; i < 4; ++i) noisy.push_back("noisy/app-" + std::to_string(i));
  for (int i = 0; i < 20; ++i) quiet.push_back("quiet/app-" + std::to_string(i));
  for (const auto& k : noisy) s.observe(k, repo(), t0);
  for (const auto& k : quiet) s.observe(k, repo(), t0);
  std::map<std::string, int> starts;
  std::map<std::string, clock::time_point> first_start;
  auto now = t0;
  int n = 0;
  for (int round = 0; round < 500; ++round) {
    now += 1s;
    // Every noisy GitRepository gets a new requestedAt each second.
    for (const auto& k : noisy) {
      auto in = repo();
      in.requested_at = std::to_string(++n);
      s.observe(k, in, now);
    }
    for (const auto& k : s.take_due(now, slots)) {
      ++starts[k.substr(0, k.find('/'))];
      first_start.try_emplace(k, now);
      s.finished(k, true, now + 500ms);
    }
  }
  INFO("noisy " << starts["noisy"] << " quiet " << starts["quiet"]);
  // Each second frees 4 slots; at least every other start is a quiet one while any is due: the
  // 20 first syncs are done within 10 s, and every interval run (5 min) happens too.
  for (const auto& k : quiet) CHECK(first_start.count(k) == 1);
  for (const auto& k : quiet) CHECK(first_start[k] <= t0 + 10s);
  CHECK(starts["quiet"] == 40);
  CHECK(starts["noisy"] > 1000);  // and the urgent ones are not slowed down for nothing
}

TEST_CASE("jitter stretches intervals by at most ten percent", "[scheduler]") {
  scheduler s([] { return 0.5; });
  s.observe("a", repo(), t0);
  s.take_due(t0, 1);
  s.finished("a", true, t0);
  CHECK(s.next_wakeup(4) == t0 + 5min + 15s);
}

TEST_CASE("forgotten objects finish quietly", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a", repo(), t0);
  s.take_due(t0, 1);
  s.forget("a");
  s.finished("a", true, t0);
  CHECK(s.find("a") == nullptr);
  CHECK_FALSE(s.next_wakeup(4));
}

TEST_CASE("an object re-created while its deleted predecessor still runs waits for that run", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a", repo(), t0);
  REQUIRE(s.take_due(t0, 4) == std::vector<std::string>{"a"});
  s.forget("a");
  CHECK(s.running() == 1);  // its run still holds a slot while it unwinds
  CHECK_FALSE(s.request_now("a", t0, scheduler::request::push));
  s.observe("a", repo(7), t0 + 1s);  // re-created
  CHECK(s.take_due(t0 + 1s, 4).empty());  // not a second run beside the first
  s.finished("a", false, t0 + 2s);  // the old run ends
  REQUIRE(s.take_due(t0 + 2s, 4) == std::vector<std::string>{"a"});  // the new object runs now
  CHECK(s.find("a")->input.generation == 7);
}

TEST_CASE("with every slot busy there is no wake-up until a reconcile finishes", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a", repo(), t0);
  s.observe("b", repo(), t0);
  s.observe("c", repo(), t0);
  REQUIRE(s.take_due(t0, 2).size() == 2);
  // "c" is due (in the past by now) but no slot is free: waking up would find nothing to take.
  CHECK(s.take_due(t0 + 1s, 2).empty());
  CHECK_FALSE(s.next_wakeup(2));
  CHECK(s.next_wakeup(3) == t0);
  s.finished("a", true, t0 + 1s);
  CHECK(s.next_wakeup(2) == t0);
  CHECK(s.take_due(t0 + 1s, 2) == std::vector<std::string>{"c"});
}

TEST_CASE("a webhook request runs now, or right after the run in progress", "[scheduler]") {
  auto s = no_jitter();
  CHECK_FALSE(s.request_now("a/unknown", t0, scheduler::request::push));
  s.observe("a/app", repo(), t0);
  s.take_due(t0, 4);
  s.finished("a/app", true, t0 + 1s);
  CHECK(s.take_due(t0 + 10s, 4).empty());  // next run after the 5m interval
  CHECK(s.request_now("a/app", t0 + 10s, scheduler::request::push));
  CHECK(s.next_wakeup(4) == t0 + 10s);
  REQUIRE(s.take_due(t0 + 10s, 4) == std::vector<std::string>{"a/app"});
  // While running: once more right after it, not twice at once.
  CHECK(s.request_now("a/app", t0 + 11s, scheduler::request::push));
  CHECK(s.take_due(t0 + 11s, 4).empty());
  s.finished("a/app", true, t0 + 12s);
  CHECK(s.take_due(t0 + 12s, 4) == std::vector<std::string>{"a/app"});
  s.finished("a/app", true, t0 + 13s);
  // Suspended: a webhook does not run it.
  auto suspended = repo();
  suspended.suspended = true;
  s.observe("a/app", suspended, t0 + 14s);
  CHECK_FALSE(s.request_now("a/app", t0 + 15s, scheduler::request::push));
  CHECK_FALSE(s.next_wakeup(4));
}

TEST_CASE("a run knows when it was asked for, an interval run was not asked", "[scheduler][listing]") {
  auto s = no_jitter();
  s.observe("a/app", repo(), t0);  // first sight
  REQUIRE(s.take_due(t0, 4) == std::vector<std::string>{"a/app"});
  CHECK(s.find("a/app")->run_asked_at == t0);
  s.finished("a/app", true, t0 + 1s);
  CHECK_FALSE(s.find("a/app")->run_asked_at);

  // The interval brings the next run.
  REQUIRE(s.take_due(t0 + 1s + 5min, 4).size() == 1);
  CHECK_FALSE(s.find("a/app")->run_asked_at);
  s.finished("a/app", true, t0 + 302s);

  // A new generation, a requestedAt and a webhook each ask, at their own time.
  s.observe("a/app", repo(2), t0 + 310s);
  REQUIRE(s.take_due(t0 + 310s, 4).size() == 1);
  CHECK(s.find("a/app")->run_asked_at == t0 + 310s);
  s.finished("a/app", true, t0 + 311s);
  auto requested = repo(2);
  requested.requested_at = "now";
  s.observe("a/app", requested, t0 + 320s);
  REQUIRE(s.take_due(t0 + 320s, 4).size() == 1);
  CHECK(s.find("a/app")->run_asked_at == t0 + 320s);
  s.finished("a/app", true, t0 + 321s);
  CHECK(s.request_now("a/app", t0 + 330s, scheduler::request::push));
  REQUIRE(s.take_due(t0 + 330s, 4).size() == 1);
  CHECK(s.find("a/app")->run_asked_at == t0 + 330s);

  // Asked again while running: the rerun wants the later time, not the one of the run before.
  CHECK(s.request_now("a/app", t0 + 331s, scheduler::request::push));
  s.finished("a/app", true, t0 + 332s);
  REQUIRE(s.take_due(t0 + 332s, 4).size() == 1);
  CHECK(s.find("a/app")->run_asked_at == t0 + 331s);

  // A retry after a failure asks for the source as it is after the failure.
  s.finished("a/app", false, t0 + 333s);
  REQUIRE(s.take_due(t0 + 333s + 30s, 4).size() == 1);
  CHECK(s.find("a/app")->run_asked_at == t0 + 333s);
  s.finished("a/app", true, t0 + 364s);

  // A drift trigger runs now but may share a listing as an interval run does.
  CHECK(s.request_now("a/app", t0 + 370s, scheduler::request::drift));
  REQUIRE(s.take_due(t0 + 370s, 4).size() == 1);
  CHECK_FALSE(s.find("a/app")->run_asked_at);
}

TEST_CASE("a reconcile in its health wait holds no slot, up to as many waiting as there are slots", "[scheduler]") {
  auto s = no_jitter();
  s.observe("a/slow", repo(), t0);
  s.observe("a/next", repo(), t0 + 1s);
  s.observe("a/third", repo(), t0 + 2s);
  REQUIRE(s.take_due(t0 + 2s, 1) == std::vector<std::string>{"a/slow"});
  CHECK(s.take_due(t0 + 2s, 1).empty());  // the one slot is taken
  s.set_waiting("a/slow", true);
  CHECK(s.slots_held(1) == 0);
  CHECK(s.next_wakeup(1) == t0 + 1s);
  REQUIRE(s.take_due(t0 + 2s, 1) == std::vector<std::string>{"a/next"});
  CHECK(s.take_due(t0 + 2s, 1).empty());
  // A second waiting run is past the cap: it holds its slot, so a third does not start.
  s.set_waiting("a/next", true);
  CHECK(s.slots_held(1) == 1);
  CHECK(s.take_due(t0 + 2s, 1).empty());
  CHECK(s.running() == 2);
  // Waiting or not, a run is still running: not handed out twice, and a change reruns it after.
  CHECK(s.request_now("a/slow", t0 + 3s, scheduler::request::push));
  CHECK(s.take_due(t0 + 3s, 4) == std::vector<std::string>{"a/third"});
  s.set_waiting("a/slow", false);  // back from its wait: holds its slot again
  CHECK(s.slots_held(4) == 2);     // slow and third; next waits within the cap
  s.finished("a/slow", true, t0 + 4s);
  CHECK(s.find("a/slow")->waiting == false);
  CHECK(s.take_due(t0 + 4s, 4) == std::vector<std::string>{"a/slow"});  // the rerun
  s.set_waiting("a/unknown", true);  // ignored
  CHECK(s.running() == 3);
}

// The scheduler keeps an index of due items and counters of running ones; a scan of every item,
// as a model, must give the same answers after any sequence of events.
TEST_CASE("the due index and slot counters agree with a scan of every item", "[scheduler]") {
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) keys.push_back("ns/app-" + std::to_string(i));
  unsigned seed = 12345;
  auto next = [&](unsigned n) {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) % n;
  };
  auto s = no_jitter();
  constexpr std::size_t slots = 3;
  clock::time_point now = t0;
  bool last_urgent = false;  // the model's memory of the last start
  auto scan_held = [&] {
    std::size_t active = 0, waiting = 0;
    for (const auto& k : keys)
      if (const auto* item = s.find(k); item != nullptr && item->running) ++(item->waiting ? waiting : active);
    return active + (waiting > slots ? waiting - slots : 0);
  };
  for (int step = 0; step < 20000; ++step) {
    const std::string& key = keys[next(static_cast<unsigned>(keys.size()))];
    now += std::chrono::seconds(next(90));
    switch (next(7)) {
      case 0: {
        auto in = repo(next(3));
        in.suspended = next(6) == 0;
        in.deleting = next(8) == 0;
        if (next(3) == 0) in.requested_at = std::to_string(next(4));
        s.observe(key, in, now);
        break;
      }
      case 1: s.forget(key); break;
      case 2: s.request_now(key, now, static_cast<scheduler::request>(next(3))); break;
      case 3: s.set_waiting(key, next(2) == 0); break;
      case 4: {
        std::vector<std::pair<clock::time_point, std::string>> urgent, other;
        for (const auto& k : keys)
          if (const auto* item = s.find(k); item != nullptr && !item->running && item->due && *item->due <= now)
            (item->urgent_since ? urgent : other).emplace_back(*item->due, k);
        std::sort(urgent.begin(), urgent.end());
        std::sort(other.begin(), other.end());
        std::size_t held = scan_held();
        std::size_t free = slots > held ? slots - held : 0;
        std::vector<std::string> want;
        std::size_t u = 0, o = 0;
        while (want.size() < free && (u < urgent.size() || o < other.size())) {
          bool take_urgent = u < urgent.size() && (o == other.size() || !last_urgent);
          last_urgent = take_urgent;
          want.push_back(take_urgent ? urgent[u++].second : other[o++].second);
        }
        REQUIRE(s.take_due(now, slots) == want);
        break;
      }
      default:
        if (const auto* item = s.find(key); item != nullptr && item->running) s.finished(key, next(3) != 0, now);
    }
    std::optional<clock::time_point> earliest;
    for (const auto& k : keys)
      if (const auto* item = s.find(k); item != nullptr && !item->running && item->due && (!earliest || *item->due < *earliest))
        earliest = item->due;
    std::size_t held = scan_held();
    INFO("step " << step);
    REQUIRE(s.slots_held(slots) == held);
    REQUIRE(s.next_wakeup(slots) == (held >= slots ? std::nullopt : earliest));
  }
}
