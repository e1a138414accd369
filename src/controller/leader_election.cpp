#include "gitopsd/controller/leader_election.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace gitopsd::controller {

namespace asio = boost::asio;
using sys_clock = std::chrono::system_clock;

std::optional<sys_clock::time_point> parse_micro_time(std::string_view text) {
  // 2026-11-26T03:50:00.123456Z (fraction optional)
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(std::string(text).c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &year, &month, &day, &hour, &minute, &second) != 6)
    return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  auto seconds = timegm(&tm);
  if (seconds == -1) return std::nullopt;
  std::int64_t micros = 0;
  if (text.size() > 20 && text[19] == '.') {
    std::size_t end = text.find('Z', 20);
    if (end == std::string_view::npos) return std::nullopt;
    std::string digits(text.substr(20, end - 20));
    digits.resize(6, '0');
    std::from_chars(digits.data(), digits.data() + 6, micros);
  } else if (text.size() != 20 || text.back() != 'Z') {
    return std::nullopt;
  }
  return sys_clock::time_point(std::chrono::seconds(seconds)) + std::chrono::microseconds(micros);
}

std::string format_micro_time(sys_clock::time_point t) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:06}Z", std::chrono::floor<std::chrono::seconds>(t), micros);
}

std::string validate(const lease_settings& s) {
  if (s.retry_period <= std::chrono::seconds::zero()) return "the retry period must be positive";
  if (s.renew_deadline <= s.retry_period) return "the renew deadline must be longer than the retry period";
  if (s.duration <= s.renew_deadline) return "the lease duration must be longer than the renew deadline";
  return {};
}

void lease_observer::observe(const rapidjson::Value& lease, mono_clock::time_point now) {
  std::string record = std::string(json::get_string(lease, "metadata", "resourceVersion").value_or(""));
  if (const auto* spec = json::find(lease, "spec")) record += "\n" + json::serialize(*spec);
  if (record != observed_) {
    observed_ = std::move(record);
    observed_at_ = now;
  }
}

lease_action lease_observer::decide(const rapidjson::Value* lease, std::string_view identity, mono_clock::time_point now) {
  if (lease == nullptr) {
    observed_ = std::string();
    observed_at_ = now;
    return lease_action::create;
  }
  observe(*lease, now);
  auto holder = json::get_string(*lease, "spec", "holderIdentity").value_or("");
  if (holder == identity) return lease_action::renew;
  if (holder.empty()) return lease_action::acquire;  // released
  // The record's own duration, as client-go: the holder says how long it may go unrenewed.
  auto seconds = json::get_int(*lease, "spec", "leaseDurationSeconds").value_or(0);
  if (seconds <= 0) seconds = 15;
  if (now - observed_at_ >= std::chrono::seconds(seconds)) return lease_action::acquire;
  return lease_action::wait;
}

void lease_observer::wrote(const rapidjson::Value& lease, mono_clock::time_point now) { observe(lease, now); }

bool leadership::attempt(attempt_outcome outcome, mono_clock::time_point now) {
  switch (outcome) {
    case attempt_outcome::held:
      leading_ = true;
      last_renewed_ = now;
      break;
    case attempt_outcome::held_by_other: leading_ = false; break;
    case attempt_outcome::failed:
      if (leading_ && now >= renew_by()) leading_ = false;
      break;
  }
  return leading_;
}

rapidjson::Document lease_body(const lease_settings& s, const rapidjson::Value* previous, sys_clock::time_point now,
                               bool release) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto str = [&a](std::string_view v) { return rapidjson::Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), a); };
  doc.AddMember("apiVersion", "coordination.k8s.io/v1", a);
  doc.AddMember("kind", "Lease", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("name", str(s.name), a);
  metadata.AddMember("namespace", str(s.namespace_), a);
  std::string previous_holder;
  std::int64_t transitions = 0;
  std::string acquired = format_micro_time(now);
  if (previous != nullptr) {
    metadata.AddMember("resourceVersion", str(json::get_string(*previous, "metadata", "resourceVersion").value_or("")), a);
    previous_holder = json::get_string(*previous, "spec", "holderIdentity").value_or("");
    transitions = json::get_int(*previous, "spec", "leaseTransitions").value_or(0);
    if (previous_holder == s.identity) acquired = json::get_string(*previous, "spec", "acquireTime").value_or(acquired);
  }
  doc.AddMember("metadata", metadata, a);
  rapidjson::Value spec(rapidjson::kObjectType);
  spec.AddMember("holderIdentity", str(release ? "" : s.identity), a);
  spec.AddMember("leaseDurationSeconds", static_cast<std::int64_t>(release ? 1 : s.duration.count()), a);
  spec.AddMember("acquireTime", str(acquired), a);
  spec.AddMember("renewTime", str(format_micro_time(now)), a);
  spec.AddMember("leaseTransitions", previous_holder == s.identity || release ? transitions : transitions + 1, a);
  doc.AddMember("spec", spec, a);
  return doc;
}

leader_elector::leader_elector(kube::client client, lease_settings settings)
    : client_(std::move(client)), settings_(std::move(settings)), state_(settings_.renew_deadline) {}

asio::awaitable<attempt_outcome> leader_elector::try_once() {
  object_ref ref{{"coordination.k8s.io", "v1", "Lease"}, settings_.namespace_, settings_.name};
  auto current = co_await client_.get(ref);
  if (!current && current.error().code != kube::errc::not_found) {
    log::warn("leader election: cannot read the lease", {{"error", current.error().what()}});
    co_return attempt_outcome::failed;
  }
  const rapidjson::Value* lease = current ? &*current : nullptr;
  auto action = observer_.decide(lease, settings_.identity, mono_clock::now());
  if (action == lease_action::wait) co_return attempt_outcome::held_by_other;
  auto body = lease_body(settings_, lease, sys_clock::now(), false);
  kube::write_options options;  // named: GCC 12 mishandles temporaries inside co_await
  if (action == lease_action::create) {
    auto created = co_await client_.create(body, options);
    if (!created) co_return attempt_outcome::failed;  // another replica created it first
    observer_.wrote(*created, mono_clock::now());
    co_return attempt_outcome::held;
  }
  // A merge patch carrying the resourceVersion we read: if another replica wrote in between, the
  // server answers Conflict and we try again on the next period.
  std::string text = json::serialize(body);
  auto patched = co_await client_.patch(ref, kube::patch_type::merge, text, options);
  if (!patched) {
    log::warn("leader election: cannot write the lease", {{"error", patched.error().what()}});
    co_return attempt_outcome::failed;
  }
  observer_.wrote(*patched, mono_clock::now());
  co_return attempt_outcome::held;
}

asio::awaitable<void> leader_elector::run(std::function<void(bool)> on_change) {
  using namespace asio::experimental::awaitable_operators;
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (;;) {
    auto now = mono_clock::now();
    auto outcome = attempt_outcome::failed;
    if (!state_.leading() || now < state_.renew_by()) {
      // A leader's attempt must end by its renew deadline; a candidate's by as long.
      timer.expires_at(state_.leading() ? state_.renew_by() : now + settings_.renew_deadline);
      auto attempt = try_once();
      auto wait = timer.async_wait(asio::use_awaitable);
      auto first = co_await (std::move(attempt) || std::move(wait));
      if (first.index() == 0) outcome = std::get<0>(first);
      else log::warn("leader election: no answer within the renew deadline", {{"lease", settings_.name}});
    }
    bool was = state_.leading();
    bool leading = state_.attempt(outcome, mono_clock::now());
    if (leading != was) {
      log::info(leading ? "leader election: leading" : "leader election: lost the lease",
                {{"lease", settings_.namespace_ + "/" + settings_.name}, {"identity", settings_.identity}});
      on_change(leading);
    }
    // A leader that keeps failing checks again at its deadline, not a period after it.
    auto next = mono_clock::now() + settings_.retry_period;
    if (leading) next = std::min(next, state_.renew_by());
    timer.expires_at(next);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> leader_elector::release() {
  if (!state_.leading()) co_return;
  state_.resign();
  object_ref ref{{"coordination.k8s.io", "v1", "Lease"}, settings_.namespace_, settings_.name};
  auto current = co_await client_.get(ref);
  if (!current || json::get_string(*current, "spec", "holderIdentity") != settings_.identity) co_return;
  std::string text = json::serialize(lease_body(settings_, &*current, sys_clock::now(), true));
  kube::write_options options;
  if (auto r = co_await client_.patch(ref, kube::patch_type::merge, text, options); !r)
    log::warn("leader election: release failed", {{"error", r.error().what()}});
}

}  // namespace gitopsd::controller
