#pragma once
// What every copy of a client shares (private to src/kube).

#include "gitopsd/kube/client.hpp"
#include "gitopsd/kube/rate_limiter.hpp"
#include "gitopsd/kube/token_source.hpp"

#include "gitopsd/core/wait.hpp"

#include <map>
#include <random>

namespace gitopsd::kube {

// Watches hold a response open for minutes: on a shared HTTP/1.1 connection they would starve
// every other request, and a connection cap sized for HTTP/2 would queue them behind each other.
inline transport_options stream_options(transport_options o) {
  o.http2 = false;
  o.max_connections = 0;
  return o;
}

struct client::state {
  state(boost::asio::any_io_executor ex, config c, client_options o)
      : executor(ex),
        cfg(std::move(c)),
        options(std::move(o)),
        http(ex, cfg.tls, options.transport),
        streams(ex, cfg.tls, stream_options(options.transport)),
        tokens(cfg.token, cfg.token_file),
        bucket(options.qps, options.burst) {}

  // A discovery request in progress: its waiters learn that the group/version is not served
  // instead of each asking again.
  struct discovery_fetch {
    explicit discovery_fetch(const boost::asio::any_io_executor& ex) : done(ex) {}
    wait::signal done;         // set when the fetch ends, however it ends
    bool unserved = false;     // the API server answered 404
  };

  struct group_version_entry {
    std::vector<resource_info> resources;
    bool fetched = false;
    std::shared_ptr<discovery_fetch> pending;
  };

  boost::asio::any_io_executor executor;
  config cfg;
  client_options options;
  transport http;
  transport streams;  // watches: long-lived, each on a connection of its own, never queued behind requests
  token_source tokens;
  token_bucket bucket;
  request_metrics metrics;
  std::minstd_rand rng{std::random_device{}()};
  std::map<std::string, group_version_entry> discovery;
};

struct request_spec {
  std::string verb;  // for metrics: get, list, create, update, patch, apply, delete, watch, discovery
  std::string method;
  std::string path;  // with query
  std::string body;
  std::string content_type;
  std::string accept = "application/json";
  std::string subject;  // for messages: "apply ConfigMap/ns/x"
  std::function<bool(std::string_view)> on_data;  // streaming (watch)
  std::optional<std::chrono::milliseconds> timeout;  // default: the client's request timeout
  bool bounded = true;  // counts toward max_in_flight
  bool retry = true;
  // The body holds secret values (a Secret, or an object from decrypted files): a refusal's
  // message, which may quote them, is not shown.
  bool secret_body = false;
};

// Auth, impersonation, rate limit, retries; non-2xx answers become typed errors.
task<http_response> send(std::shared_ptr<client::state> s, impersonation who, request_spec spec);


}  // namespace gitopsd::kube
