#pragma once
// The push webhook listener (Boost.Beast), apart from /healthz and /metrics: POST
// /hook/<namespace>/<name> asks for a reconcile now. One request per connection, bounded in
// header and body size, read time, connections at once and requests per source address. The
// decisions are in webhook_request.hpp and webhook_signature.hpp; this file only moves bytes.

#include "gitopsd/server/webhook_request.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace gitopsd::server {

struct webhook_handlers {
  // This replica may act: it leads (or there is no election) and its GitRepository cache is synced.
  std::function<bool()> working;
  // The token of a GitRepository that opted in (spec.webhook.secretRef, key `token`), or nullopt
  // for an unknown name, one that did not opt in, or a Secret that is missing or has no token.
  std::function<boost::asio::awaitable<std::optional<std::string>>(hook_target)> token_of;
  // Accepted: reconcile this GitRepository and every other of the same URL now.
  std::function<void(const hook_target&)> trigger;
};

struct webhook_limits {
  std::size_t max_connections = 64;
  std::uint32_t header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{10};
  double requests_per_second = 2;  // per source address
  double burst = 20;
  std::size_t max_sources = 4096;
};

// Accepts connections until the acceptor is closed; each one runs as its own coroutine. The
// handlers must outlive every connection.
boost::asio::awaitable<void> serve_webhooks(boost::asio::ip::tcp::acceptor& acceptor, const webhook_handlers& handlers,
                                            webhook_limits limits = {});

}  // namespace gitopsd::server
