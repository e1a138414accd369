#pragma once
// The agent's own HTTP endpoints (Boost.Beast): /healthz, /readyz and /metrics. The request
// handler is a pure function; the coroutine around it only moves bytes.

#include "gitopsd/core/error.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <functional>
#include <string>

namespace gitopsd::server {

namespace http = boost::beast::http;

struct endpoints {
  std::function<bool()> healthy;              // liveness: no long-lived task has died
  std::function<bool()> ready;                // the leader's cache is synced, or a standby has read the Lease
  std::function<std::string()> metrics_text;  // Prometheus text format
};

http::response<http::string_body> handle(const http::request<http::string_body>& request, const endpoints& e);

// ":8080", "127.0.0.1:9090", "[::1]:8080"; an empty host listens on all addresses.
result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view address);

// Accepts connections until the acceptor is closed; each connection runs as its own coroutine.
boost::asio::awaitable<void> serve(boost::asio::ip::tcp::acceptor& acceptor, const endpoints& e);

// Fills the process RSS and CPU gauges before a scrape.
class metrics;
void update_process_metrics(metrics& m);

}  // namespace gitopsd::server
