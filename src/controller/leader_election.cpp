#include "gitopsd/controller/leader_election.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"

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

lease_action decide(const rapidjson::Value* lease, std::string_view identity, sys_clock::time_point now) {
  if (lease == nullptr) return lease_action::create;
  auto holder = json::get_string(*lease, "spec", "holderIdentity").value_or("");
  if (holder == identity) return lease_action::renew;
  if (holder.empty()) return lease_action::acquire;  // released
  auto renewed = parse_micro_time(json::get_string(*lease, "spec", "renewTime").value_or(""));
  auto seconds = json::get_int(*lease, "spec", "leaseDurationSeconds").value_or(15);
  if (!renewed || *renewed + std::chrono::seconds(seconds) < now) return lease_action::acquire;
  return lease_action::wait;
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
    : client_(std::move(client)), settings_(std::move(settings)) {}

asio::awaitable<bool> leader_elector::try_once() {
  object_ref ref{{"coordination.k8s.io", "v1", "Lease"}, settings_.namespace_, settings_.name};
  auto now = sys_clock::now();
  auto current = co_await client_.get(ref);
  if (!current && current.error().code != kube::errc::not_found) {
    log::warn("leader election: cannot read the lease", {{"error", current.error().what()}});
    co_return false;
  }
  const rapidjson::Value* lease = current ? &*current : nullptr;
  auto action = decide(lease, settings_.identity, now);
  if (action == lease_action::wait) co_return false;
  auto body = lease_body(settings_, lease, now, false);
  kube::write_options options;  // named: GCC 12 mishandles temporaries inside co_await
  if (action == lease_action::create) {
    auto created = co_await client_.create(body, options);
    co_return created.has_value();
  }
  // A merge patch carrying the resourceVersion we read: if another replica wrote in between, the
  // server answers Conflict and we try again on the next period.
  std::string text = json::serialize(body);
  auto patched = co_await client_.patch(ref, kube::patch_type::merge, text, options);
  co_return patched.has_value();
}

asio::awaitable<void> leader_elector::run(std::function<void(bool)> on_change) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  auto last_renewal = std::chrono::steady_clock::now();
  for (;;) {
    bool held = co_await try_once();
    auto now = std::chrono::steady_clock::now();
    if (held) last_renewal = now;
    bool leading = held || (leading_ && now - last_renewal < settings_.renew_deadline);
    if (leading != leading_) {
      leading_ = leading;
      log::info(leading ? "leader election: leading" : "leader election: lost the lease",
                {{"lease", settings_.namespace_ + "/" + settings_.name}, {"identity", settings_.identity}});
      on_change(leading);
    }
    timer.expires_after(settings_.retry_period);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

asio::awaitable<void> leader_elector::release() {
  if (!leading_) co_return;
  object_ref ref{{"coordination.k8s.io", "v1", "Lease"}, settings_.namespace_, settings_.name};
  auto current = co_await client_.get(ref);
  if (!current || json::get_string(*current, "spec", "holderIdentity") != settings_.identity) co_return;
  std::string text = json::serialize(lease_body(settings_, &*current, sys_clock::now(), true));
  kube::write_options options;
  if (auto r = co_await client_.patch(ref, kube::patch_type::merge, text, options); !r)
    log::warn("leader election: release failed", {{"error", r.error().what()}});
  leading_ = false;
}

}  // namespace gitopsd::controller
