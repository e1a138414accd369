// bearerToken travels as an HTTP Authorization header; a server refusing it is an auth error.

#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>

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
