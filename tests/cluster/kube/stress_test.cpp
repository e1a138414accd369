// Many LISTs in flight at once, large and small, beside open watches and a steady trickle of
// writes: every request completes, and none waits anywhere near the request timeout. A response
// lost between curl and the event loop shows up here as one request stalled until its deadline.

#include "kube_support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <unistd.h>

#include <cstdlib>
#include <future>

using namespace gitopsd;
using namespace gitopsd::kube;
using namespace kube_test;
using gitopsd::test::test_cluster;
namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {
const group_version_kind configmap_kind{"", "v1", "ConfigMap"};

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// This machine's name when the system resolver maps it to a loopback address: a server named so
// goes through curl's resolver (which watches and closes a socket of its own), unlike an address
// or "localhost".
std::string loopback_host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || std::string_view(name).empty()) return {};
  addrinfo hints{};
  hints.ai_family = AF_INET;
  addrinfo* found = nullptr;
  if (::getaddrinfo(name, nullptr, &hints, &found) != 0 || found == nullptr) return {};
  bool loopback = (ntohl(reinterpret_cast<sockaddr_in*>(found->ai_addr)->sin_addr.s_addr) >> 24) == 127;
  ::freeaddrinfo(found);
  return loopback ? std::string(name) : std::string();
}

// Runs `workers` coroutines on the loop that share `count` jobs; returns when all have ended.
asio::awaitable<void> run_shared(loop& l, int count, int workers, std::function<asio::awaitable<void>(int)> job) {
  int next = 0, done = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < count) co_await job(next++);
    ++done;
  };
  for (int w = 0; w < workers; ++w) asio::co_spawn(l.io(), worker(), asio::detached);
  asio::steady_timer t(l.io());
  while (done < workers) {
    t.expires_after(milliseconds(20));
    co_await t.async_wait(asio::use_awaitable);
  }
}
}  // namespace

TEST_CASE("thousands of LISTs with watches open: every request completes well within its timeout",
          "[kube][list][stress]") {
  const int objects = env_int("GITOPSD_STRESS_OBJECTS", 1000);
  const int lists = env_int("GITOPSD_STRESS_LISTS", 3000);
  const auto bound = std::chrono::seconds(env_int("GITOPSD_STRESS_BOUND_S", 20));
  loop l;
  auto cfg = admin_config(test_cluster::shared());
  auto c = make_client(l, cfg);
  // Half the LISTs go through a second client that names the server by host name, when this
  // machine has one for loopback (its certificate does not name it: no verification there).
  std::vector<client> listers{c};
  if (auto host = loopback_host_name(); !host.empty() && cfg.server.find("127.0.0.1") != std::string::npos) {
    auto by_name = cfg;
    by_name.server.replace(by_name.server.find("127.0.0.1"), 9, host);
    by_name.tls.insecure_skip_verify = true;
    listers.push_back(make_client(l, by_name));
  } else {
    WARN("no host name for loopback here: every LIST goes to the server's address");
  }
  test_namespace ns(l, c, "kube-stress");

  // ~1 KiB each: the full listing is about 1 MiB, over two pages.
  const std::string filler(900, 'x');
  int failed_writes = 0;
  l.await([&]() -> asio::awaitable<void> {
    co_await run_shared(l, objects, 64, [&](int i) -> asio::awaitable<void> {
      auto labels = i % 100 == 0 ? std::string(R"({"set":"small"})") : std::string(R"({"set":"big"})");
      auto doc = parse(configmap_json(ns.name, "cm-" + std::to_string(i), R"({"f":")" + filler + "\"}", labels));
      apply_options ao;
      ao.detect_unchanged = false;
      if (!(co_await c.apply(doc, ao))) ++failed_writes;
    });
  }());
  REQUIRE(failed_writes == 0);

  // Watches open beside the LISTs, and writes that keep them busy meanwhile.
  std::vector<std::unique_ptr<asio::cancellation_signal>> stops;
  std::vector<std::future<void>> watches;
  std::atomic<int> events{0};
  // Named coroutine lambdas that outlive their coroutines (a temporary closure would not).
  auto watch_one = [&](watch_options wo) -> asio::awaitable<void> {
    (void)co_await c.watch(configmap_kind, ns.name, std::move(wo), [&](watch_event&) { ++events; });
  };
  for (int w = 0; w < 4; ++w) {
    watch_options wo;
    if (w % 2 == 1) wo.label_selector = "set=small";
    stops.push_back(std::make_unique<asio::cancellation_signal>());
    watches.push_back(asio::co_spawn(l.io(), watch_one(wo), asio::bind_cancellation_slot(stops.back()->slot(), asio::use_future)));
  }
  std::atomic<bool> writing{true};
  auto write_loop = [&]() -> asio::awaitable<void> {
    asio::steady_timer t(l.io());
    for (int i = 0; writing; ++i) {
      auto doc = parse(configmap_json(ns.name, "cm-" + std::to_string((i * 100) % objects),
                                      R"({"f":")" + filler + "\",\"n\":\"" + std::to_string(i) + "\"}",
                                      R"({"set":"small"})"));
      apply_options ao;
      ao.detect_unchanged = false;
      (void)co_await c.apply(doc, ao);
      t.expires_after(milliseconds(50));
      co_await t.async_wait(asio::use_awaitable);
    }
  };
  auto writer = asio::co_spawn(l.io(), write_loop(), asio::use_future);

  // Every 20th LIST is the whole namespace; the others select a handful of objects.
  int failures = 0, slow = 0;
  milliseconds worst{0};
  std::string first_error;
  auto started = steady_clock::now();
  l.await([&]() -> asio::awaitable<void> {
    co_await run_shared(l, lists, 96, [&](int i) -> asio::awaitable<void> {
      list_options lo;
      lo.label_selector = i % 20 == 0 ? "" : "set=small";
      auto t0 = steady_clock::now();
      auto r = co_await listers[static_cast<std::size_t>(i) % listers.size()].list(configmap_kind, ns.name, lo);
      auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - t0);
      worst = std::max(worst, took);
      if (took > bound) ++slow;
      if (!r) {
        if (failures++ == 0) first_error = r.error().what();
      } else if (i % 20 == 0 && static_cast<int>((*r)["items"].Size()) < objects) {  // + kube-root-ca.crt
        if (failures++ == 0) first_error = "a full listing came back short";
      }
    });
  }());
  auto total = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
  writing = false;
  writer.get();
  for (auto& s : stops) asio::post(l.io(), [&s] { s->emit(asio::cancellation_type::terminal); });
  for (auto& w : watches) w.get();

  WARN(lists << " LISTs in " << total.count() << " ms, slowest " << worst.count() << " ms, " << events
             << " watch events, " << c.connection().connections_opened() << " connections, " << listers.size() << " clients");
  INFO(first_error);
  CHECK(failures == 0);
  CHECK(slow == 0);
  CHECK(worst < bound);
  CHECK(events > 0);
}
