#include "gitopsd/server/http_server.hpp"

#include "gitopsd/core/errc.hpp"
#include "gitopsd/server/metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sys/resource.h>
#include <unistd.h>

namespace gitopsd::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

http::response<http::string_body> handle(const http::request<http::string_body>& request, const endpoints& e) {
  auto reply = [&](http::status status, std::string body, const char* type = "text/plain; charset=utf-8") {
    http::response<http::string_body> res{status, request.version()};
    res.set(http::field::server, "gitopsd");
    res.set(http::field::content_type, type);
    res.keep_alive(request.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  };
  if (request.method() != http::verb::get && request.method() != http::verb::head)
    return reply(http::status::method_not_allowed, "only GET\n");
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  if (target == "/healthz") return e.healthy() ? reply(http::status::ok, "ok\n") : reply(http::status::service_unavailable, "unhealthy\n");
  if (target == "/readyz") return e.ready() ? reply(http::status::ok, "ok\n") : reply(http::status::service_unavailable, "not ready\n");
  if (target == "/metrics") return reply(http::status::ok, e.metrics_text(), "text/plain; version=0.0.4; charset=utf-8");
  return reply(http::status::not_found, "not found\n");
}

result<tcp::endpoint> parse_listen_address(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return make_error(core::errc::invalid_identity, fmt::format("listen address \"{}\": {}", address, why));
  };
  auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("expected host:port or :port");
  std::string_view host = address.substr(0, colon);
  std::string_view port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) return bad("invalid port");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) return tcp::endpoint(tcp::v6(), static_cast<unsigned short>(port));
  boost::system::error_code parse_error;
  auto ip = asio::ip::make_address(std::string(host), parse_error);
  if (parse_error) {
    if (host == "localhost") ip = asio::ip::make_address("127.0.0.1");
    else return bad("host must be an IP address");
  }
  return tcp::endpoint(ip, static_cast<unsigned short>(port));
}

namespace {

asio::awaitable<void> session(tcp::socket socket, const endpoints& e) {
  boost::beast::tcp_stream stream(std::move(socket));
  boost::beast::flat_buffer buffer;
  for (;;) {
    stream.expires_after(std::chrono::seconds(30));
    http::request<http::string_body> request;
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024);  // probes and scrapes send no bodies
    auto [read_error, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) break;
    request = parser.release();
    auto response = handle(request, e);
    bool keep = response.keep_alive();
    auto [write_error, written] = co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
    if (write_error || !keep) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace

asio::awaitable<void> serve(tcp::acceptor& acceptor, const endpoints& e) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), e), asio::detached);
  }
}

void update_process_metrics(metrics& m) {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0, pages_resident = 0;
  if (statm >> pages_total >> pages_resident)
    m.set("gitopsd_process_resident_memory_bytes", {}, static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    m.set("gitopsd_process_cpu_seconds_total", {}, seconds(usage.ru_utime) + seconds(usage.ru_stime));
  }
}

}  // namespace gitopsd::server
