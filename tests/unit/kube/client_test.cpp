// The client against a local HTTP server that misbehaves on demand.

#include "client_support.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <unistd.h>
#include <mutex>
#include <thread>

using namespace gitopsd;
using namespace gitopsd::kube;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using test::request;
using test::tcp;

namespace {
const group_version_kind configmap_kind{"", "v1", "ConfigMap"};
object_ref cm(std::string name) { return {configmap_kind, "ns", std::move(name)}; }
}  // namespace

TEST_CASE("get: discovery, escaped path, bearer token, impersonation headers", "[client]") {
  std::mutex m;
  std::vector<std::string> targets, auth, users, groups;
  test::server srv([&](const request& req, tcp::socket& s) {
    {
      std::lock_guard lock(m);
      targets.emplace_back(req.target());
      auth.push_back(test::header(req, "Authorization"));
      users.push_back(test::header(req, "Impersonate-User"));
      std::string g;
      for (auto it = req.find("Impersonate-Group"); it != req.end() && it->name_string() == "Impersonate-Group"; ++it)
        g += std::string(it->value()) + ";";
      groups.push_back(g);
    }
    if (test::serve_core_discovery(req, s)) return true;
    test::server::respond(s, 200, test::configmap("a b", "7"));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto doc = test::run(io, c.get(cm("a b")));
  REQUIRE(doc.has_value());
  CHECK(json::get_string(*doc, "metadata", "resourceVersion") == "7");
  auto view = c.as({"system:serviceaccount:ns:deployer", {"team-a", "team-b"}});
  REQUIRE(test::run(io, view.get({configmap_kind, "", "x"})).has_value());  // no namespace: the config's
  std::lock_guard lock(m);
  REQUIRE(targets.size() == 3);  // discovery once, cached
  CHECK(targets[0] == "/api/v1");
  CHECK(targets[1] == "/api/v1/namespaces/ns/configmaps/a%20b");
  CHECK(targets[2] == "/api/v1/namespaces/ns/configmaps/x");
  CHECK(auth[1] == "Bearer t0");
  CHECK(users[1].empty());
  CHECK(users[2] == "system:serviceaccount:ns:deployer");
  CHECK(groups[2] == "team-a;team-b;");
  CHECK(c.metrics().counts().at({"get", 200}) == 2);
  CHECK(c.metrics().counts().at({"discovery", 200}) == 1);
}

TEST_CASE("NotFound is typed, names the object, quotes the server and is not retried", "[client]") {
  std::atomic<int> gets{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    ++gets;
    test::server::respond(s, 404, test::status_body(404, "NotFound", "configmaps \\\"gone\\\" not found"));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto r = test::run(io, c.get(cm("gone")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::not_found);
  CHECK(r.error().what() == "get ConfigMap/ns/gone: not found (HTTP 404): \"configmaps \"gone\" not found\"");
  CHECK(gets == 1);
}

TEST_CASE("a 429 storm is ridden out, honouring Retry-After", "[client]") {
  std::atomic<int> gets{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    int n = ++gets;
    if (n <= 5) {
      test::server::respond(s, 429, test::status_body(429, "TooManyRequests", "slow down"),
                            {{"Retry-After", n == 5 ? "1" : "0"}});
      return true;
    }
    test::server::respond(s, 200, test::configmap("x", "1"));
    return true;
  });
  asio::io_context io;
  client_options o;
  o.retry.max_attempts = 10;
  auto c = test::make_client(io, srv, o);
  auto start = std::chrono::steady_clock::now();
  auto r = test::run(io, c.get(cm("x")));
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(r.has_value());
  CHECK(gets == 6);
  CHECK(elapsed >= 1s);  // the last Retry-After: 1
  CHECK(elapsed < 5s);
  CHECK(c.metrics().retries() == 5);
  CHECK(c.metrics().counts().at({"get", 429}) == 5);

  // With too few attempts the error says how many were made.
  gets = 0;
  client_options few;
  few.retry.max_attempts = 2;
  auto c2 = test::make_client(io, srv, few);
  auto r2 = test::run(io, c2.get(cm("x")));
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == errc::too_many_requests);
  CHECK(r2.error().what() == "get ConfigMap/ns/x: too many requests (HTTP 429): \"slow down\" (after 2 attempts)");
}

TEST_CASE("5xx is retried, Invalid never is", "[client]") {
  std::atomic<int> patches{0}, gets{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    if (req.method() == test::http::verb::patch) {
      ++patches;
      test::server::respond(s, 422, test::status_body(422, "Invalid", "ConfigMap \\\"x\\\" is invalid: data: bad"));
      return true;
    }
    if (++gets <= 2) {
      test::server::respond(s, 503, "upstream unavailable", {}, "text/plain");
      return true;
    }
    test::server::respond(s, 200, test::configmap("x", "1"));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  REQUIRE(test::run(io, c.get(cm("x"))).has_value());
  CHECK(gets == 3);
  auto p = test::run(io, c.patch(cm("x"), patch_type::merge, R"({"data":{"k":"v"}})"));
  REQUIRE_FALSE(p.has_value());
  CHECK(p.error().code == errc::invalid);
  CHECK(p.error().what() == "patch ConfigMap/ns/x: invalid (HTTP 422): \"ConfigMap \"x\" is invalid: data: bad\"");
  CHECK(patches == 1);
}

TEST_CASE("malformed JSON in a 200 response is an error, not a crash", "[client]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    test::server::respond(s, 200, "{\"kind\":\"ConfigMap\",");
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto r = test::run(io, c.get(cm("x")));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::malformed_response);
  CHECK(r.error().what().starts_with("get ConfigMap/ns/x: invalid JSON at offset 20"));
}

TEST_CASE("a slow response hits the per-request timeout", "[client]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::this_thread::sleep_for(1500ms);
    test::server::respond(s, 200, test::configmap("x", "1"));
    return false;
  });
  asio::io_context io;
  client_options o;
  o.request_timeout = 200ms;
  auto c = test::make_client(io, srv, o);
  auto start = std::chrono::steady_clock::now();
  auto r = test::run(io, c.get(cm("x")));
  REQUIRE_FALSE(r.has_value());
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(r.error().code == errc::request_timeout);
  CHECK(r.error().what() ==
        "get ConfigMap/ns/x: GET " + srv.url() + "/api/v1/namespaces/ns/configmaps/x: no complete response within 200 ms");
  CHECK(c.connection().in_flight() == 0);
}

TEST_CASE("cancellation through a cancellation slot stops the request - the client goes on", "[client]") {
  std::atomic<int> gets{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    if (++gets == 1) std::this_thread::sleep_for(1000ms);
    test::server::respond(s, 200, test::configmap("x", "1"));
    return gets > 1;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto race = [&]() -> asio::awaitable<std::size_t> {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer t(io, 100ms);
    auto which = co_await (c.get(cm("x")) || t.async_wait(asio::as_tuple(asio::use_awaitable)));
    co_return which.index();
  };
  auto start = std::chrono::steady_clock::now();
  CHECK(test::run(io, race()) == 1);
  CHECK(std::chrono::steady_clock::now() - start < 800ms);
  CHECK(c.connection().in_flight() == 0);
  REQUIRE(test::run(io, c.get(cm("x"))).has_value());
}

TEST_CASE("no more than max_in_flight requests reach the server at once", "[client]") {
  std::atomic<int> now{0}, peak{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    int n = ++now;
    int p = peak.load();
    while (n > p && !peak.compare_exchange_weak(p, n)) {
    }
    std::this_thread::sleep_for(50ms);
    --now;
    test::server::respond(s, 200, test::configmap("x", "1"));
    return true;
  });
  asio::io_context io;
  client_options o;
  o.transport.max_in_flight = 2;
  auto c = test::make_client(io, srv, o);
  auto many = [&]() -> asio::awaitable<int> {
    std::vector<std::future<result<rapidjson::Document>>> all;
    for (int i = 0; i < 8; ++i) all.push_back(asio::co_spawn(io, c.get(cm("x")), asio::use_future));
    asio::steady_timer t(io);
    int ok = 0;
    for (auto& f : all) {
      while (f.wait_for(0s) != std::future_status::ready) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      ok += f.get().has_value() ? 1 : 0;
    }
    co_return ok;
  };
  CHECK(test::run(io, many()) == 8);
  CHECK(peak <= 2);
  CHECK(peak >= 1);
  CHECK(c.connection().peak_in_flight() <= 3);  // two bounded, plus discovery before the bound applies
}

TEST_CASE("list follows continue tokens and merges the pages", "[client]") {
  std::mutex m;
  std::vector<std::string> targets;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::string t(req.target());
    {
      std::lock_guard lock(m);
      targets.push_back(t);
    }
    std::string items, cont;
    if (t.find("continue=") == std::string::npos) {
      items = test::configmap("a", "1") + "," + test::configmap("b", "2");
      cont = "p2";
    } else if (t.find("continue=p2") != std::string::npos) {
      items = test::configmap("c", "3") + "," + test::configmap("d", "4");
      cont = "p3";
    } else {
      items = test::configmap("e", "5");
    }
    test::server::respond(s, 200, "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"9\",\"continue\":\"" +
                                      cont + "\"},\"items\":[" + items + "]}");
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  list_options o;
  o.label_selector = "app=web";
  o.page_size = 2;
  auto r = test::run(io, c.list(configmap_kind, "ns", o));
  REQUIRE(r.has_value());
  REQUIRE((*r)["items"].Size() == 5);
  CHECK(std::string((*r)["items"][4]["metadata"]["name"].GetString()) == "e");
  CHECK(json::get_string(*r, "kind") == "ConfigMapList");
  CHECK(json::get_string(*r, "metadata", "resourceVersion") == "9");
  std::lock_guard lock(m);
  REQUIRE(targets.size() == 3);
  CHECK(targets[0] == "/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dweb&limit=2");
  CHECK(targets[1] == "/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dweb&limit=2&continue=p2");
}

TEST_CASE("apply tells created, unchanged and configured apart", "[client][apply]") {
  std::mutex m;
  std::string stored_rv;  // empty: the object does not exist
  std::string next_patch_rv;
  std::vector<std::string> log;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::lock_guard lock(m);
    log.push_back(std::string(req.method_string()) + " " + std::string(req.target()) + " " +
                  test::header(req, "Content-Type") + " " + test::header(req, "Accept"));
    if (req.method() == test::http::verb::get) {
      if (stored_rv.empty())
        test::server::respond(s, 404, test::status_body(404, "NotFound", "not found"));
      else
        test::server::respond(s, 200, test::configmap("x", stored_rv));
      return true;
    }
    bool created = stored_rv.empty();
    stored_rv = next_patch_rv;
    test::server::respond(s, created ? 201 : 200, test::configmap("x", stored_rv));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto obj = json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ns"},"data":{"k":"v"}})");
  REQUIRE(obj.has_value());
  auto apply_with_rv = [&](std::string rv, apply_options o = {}) {
    {
      std::lock_guard lock(m);
      next_patch_rv = std::move(rv);
    }
    return test::run(io, c.apply(*obj, o));
  };
  auto first = apply_with_rv("1");
  REQUIRE(first.has_value());
  CHECK(first->outcome == apply_outcome::created);
  auto second = apply_with_rv("1");
  REQUIRE(second.has_value());
  CHECK(second->outcome == apply_outcome::unchanged);
  auto third = apply_with_rv("2");
  REQUIRE(third.has_value());
  CHECK(third->outcome == apply_outcome::configured);
  CHECK(json::get_string(third->object, "metadata", "resourceVersion") == "2");
  apply_options known;
  known.previous_resource_version = "2";
  auto fourth = apply_with_rv("2", known);
  REQUIRE(fourth.has_value());
  CHECK(fourth->outcome == apply_outcome::unchanged);
  std::lock_guard lock(m);
  REQUIRE(log.size() == 7);  // no GET when the caller knows the resourceVersion
  CHECK(log[0] ==
        "GET /api/v1/namespaces/ns/configmaps/x  application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
  CHECK(log[1] ==
        "PATCH /api/v1/namespaces/ns/configmaps/x?fieldManager=gitopsd&force=true application/apply-patch+yaml "
        "application/json");
  CHECK(log[6].starts_with("PATCH "));
}

TEST_CASE("discovery is fetched again when a kind is missing (a CRD created later)", "[client][discovery]") {
  std::atomic<bool> crd_ready{false};
  std::atomic<int> discoveries{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (req.target() == "/apis/example.com/v1") {
      ++discoveries;
      std::string widget = crd_ready ? R"({"name":"widgets","namespaced":true,"kind":"Widget","verbs":["get"]})" : "";
      test::server::respond(s, 200, "{\"kind\":\"APIResourceList\",\"resources\":[" + widget + "]}");
      return true;
    }
    if (req.target() == "/apis/other.com/v1") {
      test::server::respond(s, 404, "404 page not found", {}, "text/plain");
      return true;
    }
    test::server::respond(s, 200, R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}})");
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  object_ref w{{"example.com", "v1", "Widget"}, "ns", "w"};
  auto before = test::run(io, c.get(w));
  REQUIRE_FALSE(before.has_value());
  CHECK(before.error().code == errc::unknown_kind);
  CHECK(before.error().what() ==
        "get Widget/ns/w: discover kind Widget in example.com/v1: the API server serves example.com/v1 but no kind "
        "Widget in it");
  crd_ready = true;
  REQUIRE(test::run(io, c.get(w)).has_value());
  REQUIRE(test::run(io, c.get(w)).has_value());
  CHECK(discoveries == 2);  // cached once found
  auto unserved = test::run(io, c.get({{"other.com", "v1", "Thing"}, "ns", "t"}));
  REQUIRE_FALSE(unserved.has_value());
  CHECK(unserved.error().what() == "get Thing/ns/t: discover kind Thing in other.com/v1: the API server does not serve other.com/v1");
}

TEST_CASE("requests waiting for a discovery that fails share its answer instead of repeating it", "[client][discovery]") {
  std::atomic<int> unserved_fetches{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (req.target() == "/apis/other.com/v1") {
      ++unserved_fetches;
      std::this_thread::sleep_for(100ms);  // the others queue behind this one
      test::server::respond(s, 404, "404 page not found", {}, "text/plain");
      return true;
    }
    return false;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto many = [&]() -> asio::awaitable<int> {
    std::vector<std::future<result<rapidjson::Document>>> all;
    for (int i = 0; i < 6; ++i)
      all.push_back(asio::co_spawn(io, c.get({{"other.com", "v1", "Thing"}, "ns", "t" + std::to_string(i)}), asio::use_future));
    asio::steady_timer t(io);
    int unknown = 0;
    for (auto& f : all) {
      while (f.wait_for(0s) != std::future_status::ready) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      auto r = f.get();
      unknown += !r.has_value() && r.error().code == errc::unknown_kind ? 1 : 0;
    }
    co_return unknown;
  };
  CHECK(test::run(io, many()) == 6);
  CHECK(unserved_fetches == 1);
}

TEST_CASE("discovery remembers only group/versions it could read", "[client][discovery]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    if (req.target() == "/apis/broken.com/v1") {
      test::server::respond(s, 200, "{\"kind\":\"APIResourceList\",");
      return true;
    }
    if (req.target() == "/apis/gone.com/v1") {
      test::server::respond(s, 404, "404 page not found", {}, "text/plain");
      return true;
    }
    test::server::respond(s, 200, R"({"kind":"ConfigMap","metadata":{"name":"x"}})");
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto broken = test::run(io, c.resource_for({"broken.com", "v1", "Thing"}));
  REQUIRE_FALSE(broken.has_value());
  CHECK(broken.error().code == errc::malformed_response);
  auto gone = test::run(io, c.resource_for({"gone.com", "v1", "Thing"}));
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code == errc::unknown_kind);
  CHECK(c.discovery_entries() == 0);
  REQUIRE(test::run(io, c.get(cm("x"))).has_value());
  CHECK(c.discovery_entries() == 1);
}

TEST_CASE("delete sends propagation policy and preconditions", "[client]") {
  std::mutex m;
  std::string body, target;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    {
      std::lock_guard lock(m);
      body = req.body();
      target = std::string(req.target());
    }
    test::server::respond(s, 200, R"({"kind":"Status","status":"Success"})");
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  delete_options o;
  o.policy = propagation::foreground;
  o.precondition_uid = "u-1";
  o.precondition_resource_version = "42";
  REQUIRE(test::run(io, c.remove(cm("x"), o)).has_value());
  std::lock_guard lock(m);
  CHECK(target == "/api/v1/namespaces/ns/configmaps/x");
  CHECK(body ==
        R"({"apiVersion":"v1","kind":"DeleteOptions","propagationPolicy":"Foreground","preconditions":{"uid":"u-1","resourceVersion":"42"}})");
}

TEST_CASE("a rotated token file is picked up, also after a 401", "[client][auth]") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("gitopsd-token-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "token";
  std::ofstream(file) << "tok1";
  std::mutex m;
  std::string expected = "Bearer tok1";
  std::atomic<int> unauthorized{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::lock_guard lock(m);
    if (test::header(req, "Authorization") != expected) {
      ++unauthorized;
      test::server::respond(s, 401, test::status_body(401, "Unauthorized", "Unauthorized"));
      return true;
    }
    test::server::respond(s, 200, test::configmap("x", "1"));
    return true;
  });
  asio::io_context io;
  config cfg;
  cfg.server = srv.url();
  cfg.token_file = file;
  auto c = client::create(io.get_executor(), cfg, {});
  REQUIRE(c.has_value());
  REQUIRE(test::run(io, c->get(cm("x"))).has_value());
  // Rotation the usual way: new content, new modification time.
  {
    std::lock_guard lock(m);
    expected = "Bearer tok2";
  }
  std::ofstream(file) << "tok2";
  fs::last_write_time(file, fs::last_write_time(file) + 5s);
  REQUIRE(test::run(io, c->get(cm("x"))).has_value());
  CHECK(unauthorized == 0);
  // A change the stat cannot see (same size and time): the 401 makes the client read it again.
  auto stamp = fs::last_write_time(file);
  {
    std::lock_guard lock(m);
    expected = "Bearer tok3";
  }
  std::ofstream(file) << "tok3";
  fs::last_write_time(file, stamp);
  REQUIRE(test::run(io, c->get(cm("x"))).has_value());
  CHECK(unauthorized == 1);
  fs::remove_all(dir);
}

TEST_CASE("a connection dropped without an answer is retried on a new one", "[client]") {
  std::atomic<int> gets{0};
  test::server srv([&](const request& req, tcp::socket& s) {
    // Each request on a fresh connection ("Connection: close"): curl itself retries once when a
    // reused one dies, which would hide ours.
    if (req.target() == "/api/v1") {
      test::server::respond(s, 200, std::string(test::core_v1_resources), {{"Connection", "close"}});
      return false;
    }
    if (++gets == 1) return false;  // close without a response
    test::server::respond(s, 200, test::configmap("x", "1"), {{"Connection", "close"}});
    return false;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  auto r = test::run(io, c.get(cm("x")));
  INFO((r.has_value() ? std::string() : r.error().what()));
  REQUIRE(r.has_value());
  CHECK(gets == 2);
  CHECK(c.metrics().counts().at({"get", 0}) == 1);
  CHECK(c.metrics().retries() == 1);

  // With retries used up, the error says what curl saw.
  client_options once;
  once.retry.max_attempts = 1;
  gets = 0;
  auto c2 = test::make_client(io, srv, once);
  auto r2 = test::run(io, c2.get(cm("x")));
  REQUIRE_FALSE(r2.has_value());
  CHECK(r2.error().code == errc::transport_failed);
  CHECK_THAT(r2.error().what(), Catch::StartsWith("get ConfigMap/ns/x: GET " + srv.url() +
                                                  "/api/v1/namespaces/ns/configmaps/x: Empty reply from server"));
}
