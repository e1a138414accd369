#pragma once
// Leader election on a coordination.k8s.io/v1 Lease, as client-go does it. Another replica's lease
// has expired when OUR clock has not seen its record change for leaseDurationSeconds: the holder's
// renewTime is never compared with our clock, so clock skew cannot make two leaders. The leader
// gives up (stops working) when it has not renewed within renew_deadline, which is shorter than
// the lease duration, so it stops before anyone may take the lease over.

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

// Empty when the durations keep the guarantee (retry_period < renew_deadline < duration).
std::string validate(const lease_settings& s);

enum class lease_action { create, acquire, renew, wait };

using mono_clock = std::chrono::steady_clock;

// What this replica has seen of the Lease, and when (by its own monotonic clock).
class lease_observer {
 public:
  // What to do with the Lease as read at `now` (null when it does not exist). A record that
  // differs from the last one seen restarts the expiry count.
  lease_action decide(const rapidjson::Value* lease, std::string_view identity, mono_clock::time_point now);
  // Our own write succeeded: that record is now the one observed.
  void wrote(const rapidjson::Value& lease, mono_clock::time_point now);
  // The Lease was read at least once (the API server answers and we may read it).
  [[nodiscard]] bool has_observed() const { return observed_.has_value(); }

 private:
  void observe(const rapidjson::Value& lease, mono_clock::time_point now);
  std::optional<std::string> observed_;  // resourceVersion and spec, as text
  mono_clock::time_point observed_at_{};
};

enum class attempt_outcome {
  held,           // we created, acquired or renewed the lease
  held_by_other,  // another replica holds it and it has not expired
  failed,         // no answer, an error or a conflict: try again
};

// Whether this replica may work, from the outcome of each attempt to acquire or renew. A leader
// that has not renewed for renew_deadline has lost, whatever the attempt in flight may still do.
class leadership {
 public:
  explicit leadership(std::chrono::seconds renew_deadline) : renew_deadline_(renew_deadline) {}
  // An attempt ended at `now`; returns whether we lead afterwards.
  bool attempt(attempt_outcome outcome, mono_clock::time_point now);
  // Gave the lease up.
  void resign() { leading_ = false; }
  // Until when the current leader may still try to renew; past it, it has lost.
  [[nodiscard]] mono_clock::time_point renew_by() const { return last_renewed_ + renew_deadline_; }
  [[nodiscard]] bool leading() const { return leading_; }

 private:
  std::chrono::seconds renew_deadline_;
  bool leading_ = false;
  mono_clock::time_point last_renewed_{};
};

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
  // Not renewing within renew_deadline reports false. Each attempt is bounded by the deadline.
  boost::asio::awaitable<void> run(std::function<void(bool)> on_change);
  // Gives the lease up at once (on graceful shutdown) so another replica need not wait it out.
  boost::asio::awaitable<void> release();
  [[nodiscard]] bool leading() const { return state_.leading(); }
  // The Lease could be read at least once: a standby that can see the API server.
  [[nodiscard]] bool observed() const { return observer_.has_observed(); }

 private:
  boost::asio::awaitable<attempt_outcome> try_once();
  kube::client client_;
  lease_settings settings_;
  lease_observer observer_;
  leadership state_;
};

}  // namespace gitopsd::controller
