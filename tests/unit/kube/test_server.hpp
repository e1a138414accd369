#pragma once
// A small HTTP/1.1 server (Boost.Beast, blocking, a thread per connection) that plays the API
// server in unit tests: each test decides what every request gets, byte by byte if it wants.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace test {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using request = http::request<http::string_body>;

class server {
 public:
  // Returns false to close the connection.
  using handler = std::function<bool(const request&, tcp::socket&)>;

  explicit server(handler h) : handler_(std::move(h)), acceptor_(io_, tcp::endpoint(tcp::v4(), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~server() {
    stopping_ = true;
    {
      // Wake the blocking accept with one last connection.
      boost::system::error_code ec;
      tcp::socket poke(io_);
      poke.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), ec);
    }
    accept_thread_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : connections_) t.join();
  }

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] int requests() const { return requests_.load(); }
  [[nodiscard]] int connections() const { return connection_count_.load(); }

  // A whole response with Content-Length.
  static void respond(tcp::socket& s, unsigned status, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {},
                      std::string content_type = "application/json") {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, content_type);
    for (auto& [k, v] : headers) res.set(k, v);
    res.body() = std::move(body);
    res.prepare_payload();
    boost::system::error_code ec;
    http::write(s, res, ec);
  }

  // A chunked response written piece by piece (each piece one HTTP chunk, sent at once).
  static void respond_chunked(tcp::socket& s, unsigned status, const std::vector<std::string>& pieces,
                              std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
    std::string head = "HTTP/1.1 " + std::to_string(status) +
                       " OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    boost::system::error_code ec;
    boost::asio::write(s, boost::asio::buffer(head), ec);
    s.set_option(tcp::no_delay(true), ec);
    for (const auto& p : pieces) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", p.size());
      std::string chunk = std::string(size) + p + "\r\n";
      boost::asio::write(s, boost::asio::buffer(chunk), ec);
      if (ec) return;
      if (pause.count() > 0) std::this_thread::sleep_for(pause);
    }
    boost::asio::write(s, boost::asio::buffer(std::string("0\r\n\r\n")), ec);
  }

 private:
  void accept_loop() {
    for (;;) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_ || ec) return;
      ++connection_count_;
      std::lock_guard lock(mutex_);
      open_fds_.push_back(socket.native_handle());
      connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(s); });
    }
  }

  void serve(tcp::socket& socket) {
    boost::beast::flat_buffer buffer;
    for (;;) {
      request req;
      boost::system::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) break;
      ++requests_;
      if (!handler_(req, socket)) break;
    }
    {
      std::lock_guard lock(mutex_);
      std::erase(open_fds_, socket.native_handle());
    }
    boost::system::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
  }

  handler handler_;
  boost::asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread accept_thread_;
  std::mutex mutex_;
  std::vector<int> open_fds_;
  std::vector<std::thread> connections_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connection_count_{0};
};

}  // namespace test
