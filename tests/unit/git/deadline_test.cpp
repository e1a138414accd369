// Deadlines and cancellation against a server that accepts connections and never answers.

#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "local_repo.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <thread>

using namespace gitopsd;
using namespace gitopsd::git;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

// Listens on a loopback port; the kernel completes connections, nobody ever reads or writes.
struct silent_server {
  int fd = -1;
  int port = 0;
  // listening = false: the port stays bound (no other test can take it) and refuses connections.
  // first_port..last_port: the first free port of that range instead of any free port.
  explicit silent_server(bool listening = true, int first_port = 0, int last_port = 0) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool bound = false;
    for (int p = first_port; p <= last_port && !bound; ++p) {
      addr.sin_port = htons(static_cast<std::uint16_t>(p));
      bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    REQUIRE(bound);
    if (listening) REQUIRE(::listen(fd, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
  }
  ~silent_server() { ::close(fd); }
};

source_spec silent_spec(const std::string& url, std::chrono::milliseconds timeout) {
  source_spec s;
  s.url = url;
  s.ref = ref_spec::make_branch("main");
  s.timeout = timeout;
  s.secret["known_hosts"] = "127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDs0cmIOkc28M9X1LIxm4sgMcNm4l5ofMnhqyhtV1Mhy\n";
  return s;
}

}  // namespace

TEST_CASE("a server that never answers times out (http, https, ssh)", "[deadline]") {
  silent_server server;
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  const std::string port = std::to_string(server.port);
  for (std::string url : {"http://127.0.0.1:" + port + "/repo.git", "https://127.0.0.1:" + port + "/repo.git",
                          "ssh://git@127.0.0.1:" + port + "/repo.git"}) {
    INFO(url);
    auto start = std::chrono::steady_clock::now();
    auto r = cache.fetch(silent_spec(url, 400ms));
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::timeout);
    CHECK(r.error().message == "listing refs of " + url + ": timed out after 400ms");
    CHECK(took >= 400ms);
    CHECK(took < 5s);
  }
}

TEST_CASE("cancellation stops a blocked operation promptly", "[deadline]") {
  silent_server server;
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  for (std::string url : {"http://127.0.0.1:" + std::to_string(server.port) + "/r",
                          "ssh://git@127.0.0.1:" + std::to_string(server.port) + "/r"}) {
    INFO(url);
    auto cancel = std::make_shared<cancel_signal>();
    std::thread canceller([cancel] {
      std::this_thread::sleep_for(300ms);
      cancel->request();
    });
    auto start = std::chrono::steady_clock::now();
    auto r = cache.fetch(silent_spec(url, 60s), cancel);
    auto took = std::chrono::steady_clock::now() - start;
    canceller.join();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::cancelled);
    CHECK(r.error().message == "listing refs of " + url + ": cancelled");
    CHECK(took < 5s);
  }
}

TEST_CASE("connecting to a closed port is a network error", "[deadline]") {
  silent_server closed(false);
  int port = closed.port;
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  auto r = cache.fetch(silent_spec("http://127.0.0.1:" + std::to_string(port) + "/r", 5s));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::network);
  CHECK_THAT(r.error().message, Catch::StartsWith("listing refs of http://127.0.0.1:" + std::to_string(port) +
                                                  "/r failed: failed to connect to 127.0.0.1:"));
}

TEST_CASE("a closed port whose number holds 401 or 403 is a network error, not an authentication one", "[deadline]") {
  for (int first : {40300, 40100}) {
    silent_server closed(false, first, first + 99);
    INFO(closed.port);
    gitopsd::test::temp_dir tmp;
    source_cache cache(tmp.path / "cache");
    auto r = cache.fetch(silent_spec("http://127.0.0.1:" + std::to_string(closed.port) + "/r", 5s));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::network);
  }
}

TEST_CASE("the awaitable API resumes on the caller's executor and shares one fetch", "[deadline][async]") {
  gitopsd::test::temp_dir tmp;
  gitopsd::test::work_repo remote(tmp.path / "remote");
  remote.write("a.yaml", "a");
  const std::string sha = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  asio::io_context loop;
  asio::thread_pool pool(2);
  const auto loop_thread = std::this_thread::get_id();
  int done = 0;
  for (int i = 0; i < 2; ++i) {
    asio::co_spawn(loop, [&]() -> asio::awaitable<void> {
      source_spec s;
      s.url = remote.url();
      s.allow_file = true;
      s.ref = ref_spec::make_branch("main");
      auto r = co_await cache.fetch_async(s, pool);
      CHECK(std::this_thread::get_id() == loop_thread);
      REQUIRE(r.has_value());
      CHECK(r->commit.sha == sha);
      ++done;
    }, asio::detached);
  }
  loop.run();
  pool.join();
  CHECK(done == 2);
  CHECK(cache.stats().fetches == 1);
}

TEST_CASE("cancelling the awaiting coroutine cancels the Git operation", "[deadline][async]") {
  using namespace asio::experimental::awaitable_operators;
  silent_server server;
  gitopsd::test::temp_dir tmp;
  source_cache cache(tmp.path / "cache");
  asio::io_context loop;
  asio::thread_pool pool(1);
  bool timer_won = false;
  auto start = std::chrono::steady_clock::now();
  asio::co_spawn(loop, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(loop, 300ms);
    auto which = co_await (cache.fetch_async(silent_spec("http://127.0.0.1:" + std::to_string(server.port) + "/r", 60s), pool) ||
                           timer.async_wait(asio::use_awaitable));
    timer_won = which.index() == 1;
  }, asio::detached);
  loop.run();
  pool.join();  // returns only once the blocked libgit2 call gave up
  CHECK(timer_won);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("a busy URL holds no pool thread: other URLs go ahead, waiters can be cancelled", "[deadline][async]") {
  using namespace asio::experimental::awaitable_operators;
  using clock = std::chrono::steady_clock;
  silent_server server;
  gitopsd::test::temp_dir tmp;
  gitopsd::test::work_repo remote(tmp.path / "remote");
  remote.commit("one");
  source_cache cache(tmp.path / "cache");
  asio::io_context loop;
  asio::thread_pool pool(2);
  const std::string silent = "http://127.0.0.1:" + std::to_string(server.port) + "/r";
  const auto start = clock::now();
  clock::duration slow_done{}, other_done{};
  bool waiter_cancelled = false;

  // Holds the silent URL for 1.5s on one pool thread.
  asio::co_spawn(loop, [&]() -> asio::awaitable<void> {
    auto r = co_await cache.fetch_async(silent_spec(silent, 1500ms), pool);
    CHECK(r.error().code == errc::timeout);
    slow_done = clock::now() - start;
  }, asio::detached);
  // Waits for the silent URL on the loop, and gives up after 300ms.
  asio::co_spawn(loop, [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(loop, 300ms);
    auto which = co_await (cache.fetch_async(silent_spec(silent, 1500ms), pool) || timer.async_wait(asio::use_awaitable));
    waiter_cancelled = which.index() == 1;
  }, asio::detached);
  // Another URL runs on the second pool thread at once.
  asio::co_spawn(loop, [&]() -> asio::awaitable<void> {
    source_spec s;
    s.url = remote.url();
    s.allow_file = true;
    s.ref = ref_spec::make_branch("main");
    auto r = co_await cache.fetch_async(s, pool);
    CHECK(r.has_value());
    other_done = clock::now() - start;
  }, asio::detached);
  loop.run();
  pool.join();
  CHECK(waiter_cancelled);
  CHECK(slow_done >= 1500ms);
  CHECK(other_done < slow_done);
  CHECK(cache.stats().listings == 2);  // the cancelled waiter never ran
}
