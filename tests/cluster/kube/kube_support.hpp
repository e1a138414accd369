#pragma once
// The kube client against a real API server: an io_context on a thread of its own that owns the
// client, and a way to await an operation from the test's thread.

#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/client.hpp"
#include "test_cluster.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <unistd.h>

namespace kube_test {

class loop {
 public:
  loop() : guard_(io_.get_executor()), thread_([this] { io_.run(); }) {}
  ~loop() {
    guard_.reset();
    io_.stop();
    thread_.join();
  }
  boost::asio::io_context& io() { return io_; }

  // Runs an operation on the loop and waits for it here.
  template <class T>
  T await(boost::asio::awaitable<T> work) {
    return boost::asio::co_spawn(io_, std::move(work), boost::asio::use_future).get();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

inline gitopsd::kube::client make_client(loop& l, const gitopsd::kube::config& cfg,
                                         gitopsd::kube::client_options options = {}) {
  auto c = gitopsd::kube::client::create(l.io().get_executor(), cfg, options);
  REQUIRE(c.has_value());
  return *c;
}

inline gitopsd::kube::config admin_config(const gitopsd::test::test_cluster& cluster) {
  auto cfg = gitopsd::kube::load_kubeconfig(cluster.kubeconfig().string());
  INFO((cfg.has_value() ? std::string() : cfg.error().what()));
  REQUIRE(cfg.has_value());
  return *cfg;
}

inline rapidjson::Document parse(const std::string& text) {
  auto doc = gitopsd::json::parse(text);
  REQUIRE(doc.has_value());
  return std::move(*doc);
}

inline std::string unique(const std::string& prefix) { return prefix + "-" + std::to_string(::getpid()); }

inline std::string configmap_json(const std::string& ns, const std::string& name, const std::string& data_json,
                                  const std::string& labels_json = "{}") {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"(","namespace":")" + ns +
         R"(","labels":)" + labels_json + R"(},"data":)" + data_json + "}";
}

// A namespace created through the client under test, deleted (without waiting) at the end.
class test_namespace {
 public:
  test_namespace(loop& l, gitopsd::kube::client& c, std::string prefix) : loop_(l), client_(c), name(unique(prefix)) {
    auto ns = parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + name + R"("}})");
    auto r = loop_.await(client_.apply(ns));
    INFO((r.has_value() ? std::string() : r.error().what()));
    REQUIRE(r.has_value());
  }
  ~test_namespace() {
    gitopsd::object_ref ref{{"", "v1", "Namespace"}, "", name};
    gitopsd::kube::delete_options o;
    o.policy = gitopsd::kube::propagation::background;
    (void)loop_.await(client_.remove(ref, o));
  }

 private:
  loop& loop_;
  gitopsd::kube::client& client_;

 public:
  std::string name;
};

}  // namespace kube_test
