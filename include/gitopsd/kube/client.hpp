#pragma once
// The Kubernetes API client: coroutine operations on unstructured RapidJSON objects over one
// shared transport (see transport.hpp), with discovery, a client-side rate limit, retries of
// retriable failures and typed errors (errc.hpp, status.hpp).
//
// A `client` is a cheap handle; copies share the connection, discovery cache, rate limiter and
// metrics. `as(...)` gives a view that impersonates a user (for spec.serviceAccountName).
// Every operation must be awaited on the executor the client was created with. Arguments are
// taken by value (a coroutine outlives temporaries), except the objects to send, which must stay
// alive until the operation completes.
//
// g++ 12 frees a braced aggregate temporary twice when it is passed by value to a coroutine inside
// a co_await (`co_await c.get({gvk, "ns", "x"})`): name such arguments first. The option structs
// below have a declared constructor, which avoids the bug for them ({} and defaults are safe).

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/identity.hpp"
#include "gitopsd/kube/config.hpp"
#include "gitopsd/kube/discovery.hpp"
#include "gitopsd/kube/metrics.hpp"
#include "gitopsd/kube/retry.hpp"
#include "gitopsd/kube/transport.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::kube {

template <class T>
using task = boost::asio::awaitable<result<T>>;

struct impersonation {
  std::string user;  // "system:serviceaccount:<ns>:<name>"
  std::vector<std::string> groups;
  [[nodiscard]] bool empty() const { return user.empty() && groups.empty(); }
};

struct client_options {
  transport_options transport;
  // A safety net against runaway loops rather than the pace of normal work: API Priority and
  // Fairness on the server does the real sharing, and the dry run and apply of a few thousand
  // objects should not wait here. <= 0: no client-side limit.
  double qps = 5000;
  int burst = 10000;
  std::chrono::milliseconds request_timeout{30000};
  retry_policy retry;
};

struct list_options {
  list_options() = default;  // not an aggregate: see the note on g++ 12 above
  std::string label_selector;
  std::string field_selector;
  std::int64_t page_size = 500;  // limit per request; continue tokens are followed
  bool metadata_only = false;    // PartialObjectMetadataList
};

enum class propagation { unset, background, foreground, orphan };

struct delete_options {
  delete_options() = default;  // not an aggregate: see the note on g++ 12 above
  propagation policy = propagation::unset;
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

struct write_options {
  write_options() = default;  // not an aggregate: see the note on g++ 12 above
  std::string field_manager = "gitopsd";
  bool dry_run = false;
};

enum class patch_type { merge, json };

// What the server does with unknown or duplicate fields (the fieldValidation parameter).
enum class field_validation { server_default, ignore, warn, strict };

struct apply_options {
  apply_options() = default;  // not an aggregate: see the note on g++ 12 above
  std::string field_manager = "gitopsd";
  bool force = true;
  bool dry_run = false;
  // The object holds secret values (it came from decrypted files): the server's message about a
  // refused apply is not shown, as for Secrets.
  bool secret_values = false;
  // The resourceVersion the caller last saw. When absent and detect_unchanged is set, the client
  // reads the object's metadata first so it can tell configured from unchanged.
  std::optional<std::string> previous_resource_version;
  // For a dry run: the object as the caller last read it (from a LIST); the result is compared
  // with it instead of with a fresh read. Must stay alive until the operation completes.
  const rapidjson::Value* previous_object = nullptr;
  // false: no read before the apply. An answer of 201 is "created"; anything else "configured"
  // unless previous_resource_version says otherwise.
  bool detect_unchanged = true;
  // strict: a field given twice fails the request, at the cost of a second parse of the body
  // (server-side apply refuses unknown fields whatever this says).
  field_validation validation = field_validation::server_default;
};

enum class apply_outcome { created, configured, unchanged };
const char* to_string(apply_outcome o);

struct apply_result {
  apply_outcome outcome = apply_outcome::configured;
  rapidjson::Document object;  // what the server returned
};

struct event_spec {
  event_spec() = default;  // not an aggregate: see the note on g++ 12 above
  object_ref regarding;
  std::string regarding_uid;
  std::string type = "Normal";  // or "Warning"
  std::string reason;           // CamelCase, e.g. "ReconciliationSucceeded"
  std::string message;
  std::string component = "gitopsd";
};

enum class watch_event_type { added, modified, deleted, bookmark, reset, synced };
const char* to_string(watch_event_type t);

struct watch_event {
  watch_event_type type;
  rapidjson::Document object;  // null for reset and synced
};

struct watch_options {
  watch_options() = default;  // not an aggregate: see the note on g++ 12 above
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // empty: list first (added..., synced), then watch from there
  bool metadata_only = false;    // PartialObjectMetadata objects
  bool bookmarks = true;
  std::chrono::seconds server_timeout{300};  // each watch request ends after this; then it resumes
};

class client {
 public:
  static result<client> create(boost::asio::any_io_executor executor, config cfg, client_options options = {});

  // A view of the same client that impersonates `who` on every request.
  [[nodiscard]] client as(impersonation who) const;

  [[nodiscard]] const config& configuration() const;
  [[nodiscard]] const request_metrics& metrics() const;
  [[nodiscard]] const transport& connection() const;

  // Discovery: kind -> plural and scope; cached, fetched again on a miss (new CRDs).
  task<resource_info> resource_for(group_version_kind gvk);
  // Group/versions remembered by discovery: only served ones, so Git cannot make it grow.
  [[nodiscard]] std::size_t discovery_entries() const;

  // A namespaced object without a namespace uses the configuration's namespace.
  task<rapidjson::Document> get(object_ref ref);
  // All pages merged into one List document ("items"; metadata.resourceVersion of the last page).
  // `ns` empty: all namespaces (or a cluster-scoped kind).
  task<rapidjson::Document> list(group_version_kind gvk, std::string ns, list_options options = {});
  task<rapidjson::Document> create(const rapidjson::Value& object, write_options options = {});
  task<void> remove(object_ref ref, delete_options options = {});
  task<rapidjson::Document> patch(object_ref ref, patch_type type, std::string body, write_options options = {},
                                  std::string subresource = {});
  // PUT of the status subresource; the object's metadata.resourceVersion makes it conditional.
  task<rapidjson::Document> update_status(const rapidjson::Value& object, write_options options = {});
  // Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML).
  task<apply_result> apply(const rapidjson::Value& object, apply_options options = {});
  task<rapidjson::Document> create_event(event_spec event);

  // Runs until cancelled (then errc::cancelled) or a failure that retrying cannot fix (Forbidden,
  // NotFound, ...). Resumes from the last resourceVersion after a dropped connection or a restarted
  // API server; on 410 Gone lists again (reset, added..., synced). `on_event` runs on the loop
  // inside the transport's callbacks: it must not block (co_spawn or post longer work).
  task<void> watch(group_version_kind gvk, std::string ns, watch_options options,
                   std::function<void(watch_event&)> on_event);

  // A raw request with auth, rate limit and retries; non-2xx answers become typed errors.
  // `path` starts with '/' and may carry a query.
  task<http_response> request(std::string verb, std::string method, std::string path, std::string body = {},
                              std::string content_type = {}, std::string accept = "application/json",
                              std::string subject = {});

  struct state;

 private:
  client(std::shared_ptr<state> s, impersonation who) : state_(std::move(s)), who_(std::move(who)) {}
  std::shared_ptr<state> state_;
  impersonation who_;
};

}  // namespace gitopsd::kube
