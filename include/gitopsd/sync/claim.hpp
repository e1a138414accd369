#pragma once
// The claim stage: before anything of a commit is written, find which of its objects already
// exist and decide for each whether it may be written (decide_claim). One object that belongs to
// another GitRepository, or that nobody allowed us to adopt, stops the whole commit.

#include "gitopsd/kube/client.hpp"
#include "gitopsd/sync/ownership.hpp"
#include "gitopsd/sync/plan.hpp"

#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace gitopsd::sync {

// The owner's objects as the cluster has them (one LIST per kind and namespace, by the owner's
// labels, or a GET of the one object of its kind and namespace); the dry run compares with them
// instead of reading each object.
struct live_objects {
  std::deque<rapidjson::Document> lists;  // and objects read one by one; `by_ref` points into them
  std::map<object_ref, const rapidjson::Value*> by_ref;
  // Kinds and namespaces listed: their objects missing from `by_ref` are absent or not ours yet.
  std::set<std::pair<group_version_kind, std::string>> listed;
  // Kinds the API server does not serve (yet): none of their objects exist.
  std::set<group_version_kind> unserved;
};

// Lists the objects of `groups` (kind, namespace) that carry the labels of `who`. A group that
// cannot be listed (no list permission, kind not served yet) is left out of `listed`.
boost::asio::awaitable<live_objects> list_owned(kube::client& client,
                                                std::vector<std::pair<group_version_kind, std::string>> groups,
                                                const owner& who, std::size_t in_flight);

struct claim_settings {
  owner who;
  bool adopt = false;  // spec.adopt
  std::size_t in_flight = 32;
  // Objects the labelled lists do not show are not read here but left `pending`: the apply
  // stage's dry run tells which of them exist (resolve_pending), so a first sync reads nothing.
  bool defer_unknown = false;
  // True when a watch knows that `who` has no object of this kind in this namespace: no LIST.
  std::function<bool(const group_version_kind&, const std::string& namespace_)> known_none;
};

struct claim_result {
  live_objects live;  // for the dry run
  std::vector<object_ref> adopted;  // existing objects taken over by this commit
  // Not in the lists and not read yet (defer_unknown): absent, or someone else's. Nothing of the
  // plan may be written until each is resolved or known to be new.
  std::set<object_ref> pending;
  claim_settings settings;
};

struct claim_conflict {
  object_ref ref;
  std::string origin;
  claim verdict;  // other_owner or unmarked
  std::string current_owner;
};

enum class claim_errc { conflict = 1, unreadable };

boost::system::error_code make_error_code(claim_errc e);

// The Ready message for conflicts: names each object (a few) and who has it, and how to adopt.
std::string conflict_message(const std::vector<claim_conflict>& conflicts);

// Reads what exists of `plan`, decides, and stamps adopted_annotation on the planned objects that
// are (or were) adopted. Errors: claim_errc::conflict, or claim_errc::unreadable when an object's
// owner cannot be read (nothing is written then either).
boost::asio::awaitable<result<claim_result>> claim_objects(kube::client& client, std::vector<planned_object>& plan,
                                                           const claim_settings& settings);

// Which of `objects` that are `pending` must be read and decided now, before the commit's next
// write. `is_new[i]`: the dry run of objects[i] answered 201 (true) or anything else, a failure
// included (false); none when it has not run yet: then all are read but what cannot exist yet,
// objects in a Namespace this commit creates and of kinds the API server does not serve yet.
std::vector<object_ref> pending_to_read(const std::vector<object_ref>& objects, const std::vector<std::optional<bool>>& is_new,
                                        const std::set<object_ref>& pending, const std::set<std::string>& new_namespaces,
                                        const std::set<group_version_kind>& unserved);

// Reads and decides the pending objects `refs` (their dry run did not say they are new), as
// claim_objects does, and removes them from `claimed.pending`.
boost::asio::awaitable<result<void>> resolve_pending(kube::client& client, std::vector<planned_object>& plan,
                                                     claim_result& claimed, const std::vector<object_ref>& refs);

}  // namespace gitopsd::sync

template <>
struct boost::system::is_error_code_enum<gitopsd::sync::claim_errc> : std::true_type {};
