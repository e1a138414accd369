// bearerToken travels as an HTTP Authorization header; a server refusing it is an auth error.

#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

using namespace gitopsd;
using namespace gitopsd::git;

namespace {

// Answers one HTTP request with `reply` and keeps what it was sent.
struct one_reply_server {
  int fd = -1;
  int port = 0;
  std::string request;
  std::thread thread;
  explicit one_reply_server(std::string reply) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd, 4) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    thread = std::thread([this, reply = std::move(reply)] {
      int c = ::accept(fd, nullptr, nullptr);
      if (c < 0) return;
      char buf[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        request.append(buf, static_cast<size_t>(n));
      }
      ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
      ::close(c);
    });
  }
  // Waits for the one exchange; call before reading `request`.
  void join() {
    if (thread.joinable()) thread.join();
  }
  ~one_reply_server() {
    ::shutdown(fd, SHUT_RDWR);  // ends an accept that never got a client
    join();
    ::close(fd);
  }
};

source_spec spec_for(const one_reply_server& server) {
  source_spec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(server.port) + "/org/repo.git";
  spec.ref = ref_spec::make_branch("main");
  spec.timeout = std::chrono::seconds(10);
  return spec;
}

}  // namespace

TEST_CASE("bearerToken is sent as an Authorization header and never shown", "[bearer]") {
  one_reply_server server("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  source_spec spec = spec_for(server);
  spec.secret["bearerToken"] = "tok-123-secret";
  auto r = cache.fetch(spec);
  server.join();

  CHECK(server.request.find("GET /org/repo.git/info/refs?service=git-upload-pack") == 0);
  CHECK(server.request.find("\r\nAuthorization: Bearer tok-123-secret\r\n") != std::string::npos);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::auth_failed);
  CHECK(r.error().message.find("tok-123-secret") == std::string::npos);
  CHECK_THAT(r.error().message, Catch::Contains(spec.url));
}

TEST_CASE("a server answering 403 Forbidden is an authentication failure", "[bearer]") {
  one_reply_server server("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  auto r = cache.fetch(spec_for(server));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::auth_failed);
  CHECK_THAT(r.error().message, Catch::Contains("status code: 403"));
}

namespace {

std::string pkt_line(const std::string& payload) { return fmt::format("{:04x}{}", payload.size() + 4, payload); }

// A smart HTTP ref advertisement of one branch, main at `oid`.
std::string advertisement(const std::string& oid) {
  std::string body = pkt_line("# service=git-upload-pack\n") + "0000" +
                     pkt_line(oid + " refs/heads/main" + std::string(1, '\0') + "agent=git/test\n") + "0000";
  return fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/x-git-upload-pack-advertisement\r\n"
                     "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                     body.size(), body);
}

}  // namespace

TEST_CASE("a token in the URL keeps a listing to requests that give the same token", "[bearer][listing]") {
  const std::string oid(40, 'a');
  one_reply_server server(advertisement(oid));  // answers one listing, then refuses connections
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  auto base = spec_for(server);
  base.timeout = std::chrono::seconds(2);  // the later connections are never answered
  base.listing_not_before = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  auto with_token = [&](const std::string& token) {
    auto spec = base;
    spec.url = "http://" + token + "@127.0.0.1:" + std::to_string(server.port) + "/org/repo.git";
    return spec;
  };

  auto first = cache.poll(with_token("token-a"));
  server.join();
  INFO((first ? std::string() : first.error().what()));
  REQUIRE(first.has_value());
  CHECK(first->commit == oid);
  // Same cache key, another token: it must list for itself (and the server is gone).
  CHECK_FALSE(cache.poll(with_token("token-b")).has_value());
  CHECK_FALSE(cache.poll(base).has_value());
  CHECK(cache.stats().listings == 3);
  // The same token reuses the listing its URL made.
  auto again = cache.poll(with_token("token-a"));
  REQUIRE(again.has_value());
  CHECK(again->commit == oid);
  CHECK(cache.stats().listings_reused == 1);
}
