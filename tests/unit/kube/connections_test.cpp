// How the client shares connections with a server that speaks HTTP/1.1 only (kubectl proxy, many
// auth proxies), and what it does with requests that queue or whose answer is lost.
#include "client_support.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/client.hpp"
#include "gitopsd/kube/errc.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace gitopsd;
using namespace gitopsd::kube;
using namespace std::chrono_literals;

namespace {
const group_version_kind configmap_kind{"", "v1", "ConfigMap"};
object_ref cm(std::string name) { return {configmap_kind, "ns", std::move(name)}; }

// A watch that stays open, sending a bookmark now and then, until the client goes away.
void hold_watch(test::tcp::socket& s) {
  std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  boost::system::error_code ec;
  boost::asio::write(s, boost::asio::buffer(head), ec);
  std::string event = R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"1"}}})"
                      "\n";
  for (int i = 0; i < 300 && !ec; ++i) {
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", event.size());
    boost::asio::write(s, boost::asio::buffer(std::string(size) + event + "\r\n"), ec);
    std::this_thread::sleep_for(100ms);
  }
}
}  // namespace

TEST_CASE("an open watch does not hold the only connection to an HTTP/1.1 server", "[connections]") {
  boost::asio::io_context io;
  test::server srv([](const test::request& req, test::tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::string target(req.target());
    if (target.find("watch=1") != std::string::npos) {
      hold_watch(s);
      return false;
    }
    if (target.find("/configmaps?") != std::string::npos) {  // the watch's initial list
      test::server::respond(s, 200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"1"},"items":[]})");
      return true;
    }
    test::server::respond(s, 200, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","namespace":"ns"}})");
    return true;
  });
  client_options o;
  o.request_timeout = 10s;  // each request queued behind the watch would wait this long
  auto c = test::make_client(io, srv, o);
  boost::asio::cancellation_signal stop_watch;
  std::atomic<bool> synced = false;
  std::function<void(watch_event&)> on_event = [&](watch_event& e) {
    if (e.type == watch_event_type::synced) synced = true;
  };
  boost::asio::co_spawn(io, c.watch(configmap_kind, "ns", {}, on_event),
                        boost::asio::bind_cancellation_slot(stop_watch.slot(), boost::asio::detached));
  auto gets = [&]() -> boost::asio::awaitable<int> {
    int ok = 0;
    for (int i = 0; i < 20; ++i)
      if (auto r = co_await c.get(cm("x")); r) ++ok;
    co_return ok;
  };
  auto started = std::chrono::steady_clock::now();
  CHECK(test::run(io, gets()) == 20);
  CHECK(std::chrono::steady_clock::now() - started < 8s);
  stop_watch.emit(boost::asio::cancellation_type::terminal);
  for (int i = 0; i < 50; ++i) io.run_one_for(10ms);
}

TEST_CASE("time queued for a free slot counts toward the request timeout", "[connections]") {
  boost::asio::io_context io;
  test::server srv([](const test::request& req, test::tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    if (std::string(req.target()).ends_with("/slow")) std::this_thread::sleep_for(1500ms);
    test::server::respond(s, 200, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","namespace":"ns"}})");
    return true;
  });
  client_options o;
  o.transport.max_in_flight = 1;
  o.request_timeout = 300ms;
  o.retry.max_attempts = 1;
  auto c = test::make_client(io, srv, o);
  REQUIRE(test::run(io, c.get(cm("warm"))).has_value());  // discovery out of the way
  auto both = [&]() -> boost::asio::awaitable<std::pair<error, std::chrono::steady_clock::duration>> {
    auto slow = [&]() -> boost::asio::awaitable<void> { co_await c.get(cm("slow")); };
    boost::asio::co_spawn(co_await boost::asio::this_coro::executor, slow, boost::asio::detached);
    auto t0 = std::chrono::steady_clock::now();
    auto queued = co_await c.get(cm("queued"));
    co_return std::pair{queued ? error{} : queued.error(), std::chrono::steady_clock::now() - t0};
  };
  auto [failure, took] = test::run(io, both());
  CHECK(failure.code == errc::request_timeout);
  CHECK(took < 1200ms);  // not after the slow request freed its slot
}

TEST_CASE("a create whose answer is lost is not sent twice", "[connections]") {
  boost::asio::io_context io;
  std::atomic<int> posts = 0, gets = 0;
  test::server srv([&](const test::request& req, test::tcp::socket& s) {
    // Each request on a fresh connection: curl itself sends a request again when a reused
    // connection turns out dead, which is a different case (the server never saw it).
    if (test::serve_core_discovery(req, s)) return false;
    if (req.method() == test::http::verb::post) {
      ++posts;
      return false;  // acted on (maybe), connection closed before any answer
    }
    ++gets;
    if (gets == 1) return false;  // a lost answer to a GET: sent again
    test::server::respond(s, 200, R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x","namespace":"ns"}})");
    return false;
  });
  auto c = test::make_client(io, srv);
  auto doc = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ns"}})").value();
  auto created = test::run(io, c.create(doc));
  REQUIRE_FALSE(created.has_value());
  CHECK(posts == 1);
  CHECK_THAT(created.error().what(), Catch::Contains("not sent again"));
  CHECK(test::run(io, c.get(cm("x"))).has_value());
  CHECK(gets == 2);
}
