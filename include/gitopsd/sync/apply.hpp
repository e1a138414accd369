#pragma once
// The apply stage: staged server-side apply of a plan, validated first by a server dry run so
// that an invalid object stops the commit before anything of its stage is written.

#include "gitopsd/kube/client.hpp"
#include "gitopsd/sync/claim.hpp"
#include "gitopsd/sync/plan.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace gitopsd::sync {

struct change_set {
  int created = 0;
  int configured = 0;
  int unchanged = 0;
  int skipped = 0;  // gitopsd.io/reconcile: disabled
  int adopted = 0;  // existing objects taken over (also counted as configured or unchanged)
  std::vector<object_ref> applied;  // created or configured
  [[nodiscard]] int changed() const { return created + configured; }
};

struct apply_settings {
  // Whose objects these are: the dry run lists them (one LIST per kind and namespace) to tell
  // configured from unchanged instead of reading each object. Empty name: read each object.
  owner who;
  std::size_t in_flight = 32;
  std::chrono::seconds crd_established_timeout{60};
  std::function<void(const std::string&)> progress;  // "applying 3 of 10 objects"
  // Each object written, with the resourceVersion the server answered (the drift watch knows its
  // own writes by it).
  std::function<void(const object_ref&, const std::string&)> written;
  // The objects may hold decrypted values: the server's messages about them are not shown.
  bool secret_values = false;
  // Called once, after every object is validated and its owner decided, before the first write
  // (the write-ahead inventory goes to status there); false stops the apply (status_not_written).
  std::function<boost::asio::awaitable<bool>()> before_first_write;
};

enum class apply_errc { invalid = 1, failed, crd_not_established, status_not_written };

// Stage by stage: dry-run every object of the stage (collecting every failure), then apply those
// the dry run shows would change. CRDs of the first stage must be Established before the next.
// `claimed`: the claim stage's result for this plan (its lists are reused; its adoptions counted;
// its pending objects are read and decided once the dry run shows they exist, before anything is
// written: a conflict is a claim_errc error, and objects adopted then are marked in `plan`).
boost::asio::awaitable<result<change_set>> apply_plan(kube::client& client, std::vector<planned_object>& plan,
                                                      const apply_settings& settings, claim_result* claimed = nullptr);

}  // namespace gitopsd::sync
