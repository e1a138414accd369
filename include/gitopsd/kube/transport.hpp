#pragma once
// HTTP for the Kubernetes client: one libcurl multi handle driven by the Asio event loop (curl
// tells us which sockets to watch and when its timer is due; Asio tells curl when they are ready).
// HTTP/2 multiplexing over one connection where the server offers it, keep-alive, a bound on
// requests in flight, per-request timeouts, cancellation through Asio cancellation slots.
// All member functions must be called on the executor's thread.

#include "gitopsd/core/error.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gitopsd::kube {

struct tls_settings {
  std::string ca_pem;           // empty: the system's trust store
  std::string client_cert_pem;  // handed to curl in memory, never written to disk
  std::string client_key_pem;
  bool insecure_skip_verify = false;
};

struct transport_options {
  std::size_t max_in_flight = 64;  // bounded requests (watches do not count)
  bool http2 = true;
  // Connections to the server; 0: with HTTP/2, one per 100 requests in flight plus one (servers
  // cap streams per connection at about 100, and curl would otherwise open a connection for every
  // request beyond the cap); without HTTP/2, unlimited.
  long max_connections = 0;
  std::string user_agent = "gitopsd";
};

struct http_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // zero: none (watches)
  // When set, a 2xx response body is streamed here as it arrives instead of being collected;
  // returning false ends the transfer (transport_failed).
  std::function<bool(std::string_view)> on_data;
  bool counts_toward_limit = true;
};

struct http_response {
  long status = 0;
  std::string body;
  std::string content_type;
  std::optional<std::chrono::seconds> retry_after;
  long http_version = 0;  // 2 for HTTP/2, 1 for HTTP/1.x
};

class transport {
 public:
  transport(boost::asio::any_io_executor executor, tls_settings tls, transport_options options);
  ~transport();
  transport(const transport&) = delete;
  transport& operator=(const transport&) = delete;

  // Performs one HTTP exchange. Errors: transport_failed (with curl's text), request_timeout,
  // cancelled. Any HTTP status is a response, not an error.
  boost::asio::awaitable<result<http_response>> perform(http_request request);

  [[nodiscard]] std::size_t in_flight() const;
  [[nodiscard]] std::size_t peak_in_flight() const;
  // Connections curl opened so far (to see HTTP/2 multiplexing at work).
  [[nodiscard]] long connections_opened() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace gitopsd::kube
