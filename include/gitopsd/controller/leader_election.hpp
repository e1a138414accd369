#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: the holder renews the
// lease; another replica takes it over once renewTime + leaseDurationSeconds has passed.

#include "gitopsd/kube/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace gitopsd::controller {

struct lease_settings {
  std::string namespace_;
  std::string name = "gitopsd-leader";
  std::string identity;  // hostname_pid
  std::chrono::seconds duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
};

enum class lease_action { create, acquire, renew, wait };

// Pure: what to do with the Lease as read (null when it does not exist) at `now`.
lease_action decide(const rapidjson::Value* lease, std::string_view identity, std::chrono::system_clock::time_point now);

// The Lease body that makes `identity` the holder; `previous` keeps resourceVersion and transitions.
rapidjson::Document lease_body(const lease_settings& s, const rapidjson::Value* previous,
                               std::chrono::system_clock::time_point now, bool release);

// RFC 3339 with microseconds (metav1.MicroTime); nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_micro_time(std::string_view text);
std::string format_micro_time(std::chrono::system_clock::time_point t);

class leader_elector {
 public:
  leader_elector(kube::client client, lease_settings settings);
  // Loops until cancelled: acquires, renews, and reports changes through `on_change(leading)`.
  // Losing the lease (no renewal within renew_deadline) reports false.
  boost::asio::awaitable<void> run(std::function<void(bool)> on_change);
  // Gives the lease up at once (on graceful shutdown) so another replica need not wait it out.
  boost::asio::awaitable<void> release();
  [[nodiscard]] bool leading() const { return leading_; }

 private:
  boost::asio::awaitable<bool> try_once();
  kube::client client_;
  lease_settings settings_;
  bool leading_ = false;
};

}  // namespace gitopsd::controller
