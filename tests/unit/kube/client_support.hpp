#pragma once
// Helpers for client tests against test::server: run a coroutine to completion on an io_context,
// serve discovery of a few core kinds, and build clients that retry fast.

#include "gitopsd/kube/client.hpp"
#include "test_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <string_view>

namespace test {

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> work, std::chrono::seconds limit = std::chrono::seconds(20)) {
  auto future = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (future.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("the coroutine did not finish in time");
    if (io.stopped()) io.restart();
    io.run_one_for(std::chrono::milliseconds(20));
  }
  return future.get();
}

inline constexpr std::string_view core_v1_resources = R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
  {"name":"configmaps","namespaced":true,"kind":"ConfigMap","verbs":["get","list","watch","patch","delete"]},
  {"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":["get"]},
  {"name":"events","namespaced":true,"kind":"Event","verbs":["create"]}]})";

// Answers GET /api/v1; false when the request is something else.
inline bool serve_core_discovery(const request& req, tcp::socket& s) {
  if (req.method() != http::verb::get || req.target() != "/api/v1") return false;
  server::respond(s, 200, std::string(core_v1_resources));
  return true;
}

inline gitopsd::kube::client make_client(boost::asio::io_context& io, const server& srv,
                                         gitopsd::kube::client_options options = {}) {
  gitopsd::kube::config cfg;
  cfg.server = srv.url();
  cfg.token = "t0";
  cfg.namespace_ = "ns";
  options.qps = 0;
  options.retry.initial_backoff = std::chrono::milliseconds(1);
  options.retry.max_backoff = std::chrono::milliseconds(5);
  auto c = gitopsd::kube::client::create(io.get_executor(), cfg, options);
  REQUIRE(c.has_value());
  return *c;
}

inline std::string header(const request& req, std::string_view name) {
  auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string() : std::string(it->value());
}

inline std::string configmap(std::string_view name, std::string_view rv) {
  return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + std::string(name) +
         "\",\"namespace\":\"ns\",\"resourceVersion\":\"" + std::string(rv) + "\"}}";
}

inline std::string status_body(int code, std::string_view reason, std::string_view message) {
  return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"" + std::string(reason) +
         "\",\"message\":\"" + std::string(message) + "\",\"code\":" + std::to_string(code) + "}";
}

}  // namespace test
