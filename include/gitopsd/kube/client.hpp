#pragma once
// The Kubernetes API client: coroutine operations on unstructured RapidJSON objects over one
// shared transport (see transport.hpp), with discovery, a client-side rate limit, retries of
// retriable failures and typed errors (errc.hpp, status.hpp).
//
// A `client` is a cheap handle; copies share the connection, discovery cache, rate limiter and
// metrics. `as(...)` gives a view that impersonates a user (for spec.serviceAccountName).
// Every operation must be awaited on the executor the client was created with.

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
  double qps = 100;  // <= 0: no client-side limit
  int burst = 200;
  std::chrono::milliseconds request_timeout{30000};
  retry_policy retry;
};

struct list_options {
  std::string label_selector;
  std::string field_selector;
  std::int64_t page_size = 500;  // limit per request; continue tokens are followed
  bool metadata_only = false;    // PartialObjectMetadataList
};

enum class propagation { unset, background, foreground, orphan };

struct delete_options {
  propagation policy = propagation::unset;
  std::string precondition_uid;
  std::string precondition_resource_version;
  bool dry_run = false;
};

struct write_options {
  std::string field_manager = "gitopsd";
  bool dry_run = false;
};

enum class patch_type { merge, json };

struct apply_options {
  std::string field_manager = "gitopsd";
  bool force = true;
  bool dry_run = false;
  // The resourceVersion the caller last saw. When absent and detect_unchanged is set, the client
  // reads the object's metadata first so it can tell configured from unchanged.
  std::optional<std::string> previous_resource_version;
  bool detect_unchanged = true;
};

enum class apply_outcome { created, configured, unchanged };
const char* to_string(apply_outcome o);

struct apply_result {
  apply_outcome outcome = apply_outcome::configured;
  rapidjson::Document object;  // what the server returned
};

struct event_spec {
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
  task<resource_info> resource_for(const group_version_kind& gvk);

  // A namespaced object without a namespace uses the configuration's namespace.
  task<rapidjson::Document> get(const object_ref& ref);
  // All pages merged into one List document ("items"; metadata.resourceVersion of the last page).
  // `ns` empty: all namespaces (or a cluster-scoped kind).
  task<rapidjson::Document> list(const group_version_kind& gvk, std::string_view ns, const list_options& options = {});
  task<rapidjson::Document> create(const rapidjson::Value& object, const write_options& options = {});
  task<void> remove(const object_ref& ref, const delete_options& options = {});
  task<rapidjson::Document> patch(const object_ref& ref, patch_type type, std::string_view body,
                                  const write_options& options = {}, std::string_view subresource = {});
  // PUT of the status subresource; the object's metadata.resourceVersion makes it conditional.
  task<rapidjson::Document> update_status(const rapidjson::Value& object, const write_options& options = {});
  // Server-side apply (PATCH application/apply-patch+yaml; JSON is YAML).
  task<apply_result> apply(const rapidjson::Value& object, const apply_options& options = {});
  task<rapidjson::Document> create_event(const event_spec& event);

  // Runs until cancelled (then errc::cancelled) or a failure that retrying cannot fix (Forbidden,
  // NotFound, ...). Resumes from the last resourceVersion after a dropped connection or a restarted
  // API server; on 410 Gone lists again (reset, added..., synced). `on_event` runs on the loop
  // inside the transport's callbacks: it must not block (co_spawn or post longer work).
  task<void> watch(const group_version_kind& gvk, std::string_view ns, watch_options options,
                   std::function<void(watch_event&)> on_event);

  // A raw request with auth, rate limit and retries; non-2xx answers become typed errors.
  // `path` starts with '/' and may carry a query.
  task<http_response> request(std::string_view verb, std::string_view method, std::string_view path,
                              std::string body = {}, std::string_view content_type = {},
                              std::string_view accept = "application/json", std::string_view subject = {});

  struct state;

 private:
  client(std::shared_ptr<state> s, impersonation who) : state_(std::move(s)), who_(std::move(who)) {}
  std::shared_ptr<state> state_;
  impersonation who_;
};

}  // namespace gitopsd::kube
