// Watch against a local server: tiny chunks, resume from the last resourceVersion, relist on 410.

#include "client_support.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/watch_event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

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

std::string event(std::string_view type, std::string_view name, std::string_view rv) {
  return "{\"type\":\"" + std::string(type) + "\",\"object\":" + test::configmap(name, rv) + "}\n";
}

std::vector<std::string> split_every(const std::string& s, std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size(); i += n) out.push_back(s.substr(i, n));
  return out;
}

std::string list_body(std::string items, std::string_view rv) {
  return "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"" + std::string(rv) +
         "\"},\"items\":[" + items + "]}";
}

// Items of a list carry no kind; the watch adds it back.
std::string bare_item(std::string_view name, std::string_view rv) {
  return "{\"metadata\":{\"name\":\"" + std::string(name) + "\",\"namespace\":\"ns\",\"resourceVersion\":\"" +
         std::string(rv) + "\"}}";
}

}  // namespace

TEST_CASE("watch: tiny chunks, resume from the last resourceVersion, relist after 410", "[watch]") {
  std::mutex m;
  std::vector<std::string> targets;
  int lists = 0, watches = 0;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    std::string t(req.target());
    int list_no = 0, watch_no = 0;
    {
      std::lock_guard lock(m);
      targets.push_back(t);
      if (t.find("watch=1") == std::string::npos)
        list_no = ++lists;
      else
        watch_no = ++watches;
    }
    if (list_no == 1) {
      test::server::respond(s, 200, list_body(bare_item("a", "1"), "5"));
    } else if (list_no == 2) {
      test::server::respond(s, 200, list_body(bare_item("b", "9"), "10"));
    } else if (watch_no == 1) {
      std::string body = event("ADDED", "b", "6") + event("MODIFIED", "b", "7") +
                         "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
                         "\"metadata\":{\"resourceVersion\":\"8\"}}}\n";
      test::server::respond_chunked(s, 200, split_every(body, 3), 1ms);
    } else if (watch_no == 2) {
      test::server::respond_chunked(
          s, 200,
          {"{\"type\":\"ERROR\",\"object\":" + test::status_body(410, "Expired", "too old resource version: 8 (9)") +
           "}\n"});
    } else if (watch_no == 3) {
      test::server::respond_chunked(s, 200, {event("ADDED", "c", "11")}, 300ms);
      return false;
    } else {
      test::server::respond_chunked(s, 200, {}, 0ms);
    }
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  std::vector<std::string> seen;
  asio::steady_timer stop(io, asio::steady_timer::time_point::max());
  auto work = [&]() -> asio::awaitable<result<void>> {
    using namespace asio::experimental::awaitable_operators;
    auto on_event = [&](watch_event& e) {
      std::string name(json::get_string(e.object, "metadata", "name").value_or(""));
      std::string kind(e.object.IsObject() ? json::get_string(e.object, "kind").value_or("-") : "");
      seen.push_back(std::string(to_string(e.type)) + (name.empty() ? "" : " " + name) +
                     (e.type == watch_event_type::added ? " " + kind : ""));
      if (name == "c") stop.cancel();
    };
    auto r = co_await (c.watch(configmap_kind, "ns", {}, on_event) ||
                       stop.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (r.index() == 0) co_return std::get<0>(std::move(r));
    co_return result<void>{};
  };
  auto r = test::run(io, work());
  REQUIRE(r.has_value());
  CHECK(seen == std::vector<std::string>{"RESET", "ADDED a ConfigMap", "SYNCED", "ADDED b ConfigMap", "MODIFIED b",
                                         "BOOKMARK", "RESET", "ADDED b ConfigMap", "SYNCED", "ADDED c ConfigMap"});
  std::lock_guard lock(m);
  REQUIRE(targets.size() >= 5);
  CHECK(targets[0] == "/api/v1/namespaces/ns/configmaps?limit=500");
  CHECK(targets[1] ==
        "/api/v1/namespaces/ns/configmaps?watch=1&resourceVersion=5&allowWatchBookmarks=true&timeoutSeconds=300");
  CHECK(targets[2].find("resourceVersion=8&") != std::string::npos);  // resumed after the bookmark
  CHECK(targets[3] == "/api/v1/namespaces/ns/configmaps?limit=500");  // relist after 410
  CHECK(targets[4].find("resourceVersion=10&") != std::string::npos);
}

TEST_CASE("watch: selectors and metadata-only Accept - Forbidden ends it with the server's words", "[watch]") {
  std::mutex m;
  std::string target, accept;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    {
      std::lock_guard lock(m);
      target = std::string(req.target());
      accept = test::header(req, "Accept");
    }
    test::server::respond(
        s, 403,
        test::status_body(403, "Forbidden",
                          "configmaps is forbidden: User \\\"u\\\" cannot watch resource \\\"configmaps\\\""));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  watch_options o;
  o.resource_version = "100";
  o.label_selector = "gitopsd.io/name=web";
  o.field_selector = "metadata.name=x";
  o.metadata_only = true;
  auto r = test::run(io, c.watch(configmap_kind, "ns", o, [](watch_event&) {}));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == errc::forbidden);
  CHECK(r.error().what() ==
        "watch ConfigMap in ns: forbidden (HTTP 403): \"configmaps is forbidden: User \"u\" cannot watch resource "
        "\"configmaps\"\"");
  std::lock_guard lock(m);
  CHECK(target ==
        "/api/v1/namespaces/ns/configmaps?watch=1&resourceVersion=100&allowWatchBookmarks=true&timeoutSeconds=300&"
        "labelSelector=gitopsd.io%2Fname%3Dweb&fieldSelector=metadata.name%3Dx");
  CHECK(accept == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
}

TEST_CASE("watch: a dropped connection is resumed, not reported", "[watch]") {
  std::mutex m;
  std::vector<std::string> targets;
  int n = 0;
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    int mine;
    {
      std::lock_guard lock(m);
      targets.emplace_back(req.target());
      mine = ++n;
    }
    if (mine == 1) {
      // Half an event, then the connection dies mid-chunk.
      std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
      std::string e = event("ADDED", "x", "21");
      std::string partial = head + "40\r\n" + e.substr(0, 20);
      boost::system::error_code ec;
      asio::write(s, asio::buffer(partial), ec);
      return false;
    }
    test::server::respond_chunked(s, 200, {event("ADDED", "y", "22")});
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  std::vector<std::string> names;
  asio::steady_timer stop(io, asio::steady_timer::time_point::max());
  auto work = [&]() -> asio::awaitable<result<void>> {
    using namespace asio::experimental::awaitable_operators;
    watch_options o;
    o.resource_version = "20";
    auto r = co_await (c.watch(configmap_kind, "ns", o,
                               [&](watch_event& e) {
                                 names.emplace_back(json::get_string(e.object, "metadata", "name").value_or(""));
                                 stop.cancel();
                               }) ||
                       stop.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (r.index() == 0) co_return std::get<0>(std::move(r));
    co_return result<void>{};
  };
  REQUIRE(test::run(io, work()).has_value());
  CHECK(names == std::vector<std::string>{"y"});
  std::lock_guard lock(m);
  REQUIRE(targets.size() == 2);
  CHECK(targets[1].find("resourceVersion=20&") != std::string::npos);
}

TEST_CASE("watch: a request started from inside an event callback works", "[watch]") {
  test::server srv([&](const request& req, tcp::socket& s) {
    if (test::serve_core_discovery(req, s)) return true;
    if (std::string(req.target()).find("watch=1") != std::string::npos) {
      test::server::respond_chunked(s, 200, {event("ADDED", "x", "31")}, 200ms);
      return false;
    }
    test::server::respond(s, 200, test::configmap("looked-up", "32"));
    return true;
  });
  asio::io_context io;
  auto c = test::make_client(io, srv);
  std::string looked_up;
  asio::steady_timer stop(io, asio::steady_timer::time_point::max());
  auto work = [&]() -> asio::awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    watch_options o;
    o.resource_version = "30";
    co_await (c.watch(configmap_kind, "ns", o,
                      [&](watch_event&) {
                        asio::co_spawn(io, c.get({configmap_kind, "ns", "looked-up"}),
                                       [&](std::exception_ptr, result<rapidjson::Document> r) {
                                         looked_up = r ? std::string(json::get_string(*r, "metadata", "name").value_or(""))
                                                       : r.error().what();
                                         stop.cancel();
                                       });
                      }) ||
              stop.async_wait(asio::as_tuple(asio::use_awaitable)));
  };
  test::run(io, work());
  CHECK(looked_up == "looked-up");
}

TEST_CASE("after a watch ends: resume, relist, retry later or stop", "[watch]") {
  auto step = [](std::optional<errc> code, bool in_stream = false) {
    std::optional<gitopsd::error> failure;
    if (code) failure = gitopsd::make_error(make_error_code(*code), "x");
    return after_watch_ended(failure, in_stream);
  };
  CHECK(step(std::nullopt) == watch_step::resume);                       // timeoutSeconds reached
  CHECK(step(errc::gone) == watch_step::relist);                         // 410 in the request
  CHECK(step(errc::gone, true) == watch_step::relist);                   // 410 as an ERROR line
  CHECK(step(errc::cancelled) == watch_step::stop);
  CHECK(step(errc::forbidden) == watch_step::stop);                      // RBAC: say so, do not spin
  CHECK(step(errc::not_found) == watch_step::stop);
  CHECK(step(errc::malformed_response) == watch_step::stop);             // the answer itself
  CHECK(step(errc::malformed_response, true) == watch_step::retry_later);  // one bad event
  for (auto transient : {errc::transport_failed, errc::connect_failed, errc::request_timeout, errc::service_unavailable,
                         errc::internal_error, errc::too_many_requests})
    CHECK(step(transient) == watch_step::retry_later);
}
