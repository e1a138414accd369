#include "gitopsd/server/http_server.hpp"
#include "gitopsd/server/metrics.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <catch2/catch.hpp>

using namespace gitopsd::server;
namespace asio = boost::asio;

namespace {
bool ready_flag = false;
endpoints sample_endpoints() {
  return {[] { return true; }, [] { return ready_flag; }, [] { return std::string("gitopsd_up 1\n"); }};
}
http::response<http::string_body> get(std::string target, http::verb verb = http::verb::get) {
  http::request<http::string_body> req{verb, target, 11};
  return handle(req, sample_endpoints());
}
}  // namespace

TEST_CASE("probe and metrics endpoints", "[server]") {
  ready_flag = false;
  CHECK(get("/healthz").result() == http::status::ok);
  CHECK(get("/readyz").result() == http::status::service_unavailable);
  ready_flag = true;
  CHECK(get("/readyz").result() == http::status::ok);
  auto m = get("/metrics?x=1");
  CHECK(m.result() == http::status::ok);
  CHECK(m.body() == "gitopsd_up 1\n");
  CHECK(m[http::field::content_type].starts_with("text/plain; version=0.0.4"));
  CHECK(get("/nope").result() == http::status::not_found);
  CHECK(get("/healthz", http::verb::post).result() == http::status::method_not_allowed);
}

TEST_CASE("listen addresses", "[server]") {
  CHECK(parse_listen_address(":8080").value().port() == 8080);
  CHECK(parse_listen_address("127.0.0.1:9090").value().address().to_string() == "127.0.0.1");
  CHECK(parse_listen_address("[::1]:80").value().address().is_v6());
  CHECK(parse_listen_address("localhost:1").value().address().to_string() == "127.0.0.1");
  CHECK_THAT(parse_listen_address("8080").error().what(), Catch::Contains("host:port"));
  CHECK_THAT(parse_listen_address(":99999").error().what(), Catch::Contains("invalid port"));
  CHECK_THAT(parse_listen_address("example.com:80").error().what(), Catch::Contains("IP address"));
}

TEST_CASE("metrics render in the Prometheus text format", "[metrics]") {
  metrics m;
  describe_agent_metrics(m);
  m.add("gitopsd_reconcile_total", {{"name", "app"}, {"namespace", "team"}, {"result", "success"}});
  m.add("gitopsd_reconcile_total", {{"name", "app"}, {"namespace", "team"}, {"result", "success"}});
  m.set("gitopsd_ready", {{"name", "a\"b"}}, 1);
  m.observe("gitopsd_reconcile_duration_seconds", {{"name", "app"}}, 0.3);
  m.observe("gitopsd_reconcile_duration_seconds", {{"name", "app"}}, 7);
  std::string text = m.render();
  CHECK_THAT(text, Catch::Contains("# TYPE gitopsd_reconcile_total counter\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_reconcile_total{name=\"app\",namespace=\"team\",result=\"success\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_ready{name=\"a\\\"b\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_reconcile_duration_seconds_bucket{name=\"app\",le=\"0.25\"} 0\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_reconcile_duration_seconds_bucket{name=\"app\",le=\"0.5\"} 1\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_reconcile_duration_seconds_bucket{name=\"app\",le=\"+Inf\"} 2\n"));
  CHECK_THAT(text, Catch::Contains("gitopsd_reconcile_duration_seconds_sum{name=\"app\"} 7.3\n"));
  CHECK(m.value("gitopsd_reconcile_total", {{"name", "app"}, {"namespace", "team"}, {"result", "success"}}) == 2);
  m.remove("gitopsd_ready", {{"name", "a\"b"}});
  CHECK(m.render().find("gitopsd_ready{") == std::string::npos);
  update_process_metrics(m);
  CHECK(m.value("gitopsd_process_resident_memory_bytes", {}) > 1e6);
}

TEST_CASE("the server answers over a real socket", "[server]") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto e = sample_endpoints();
  asio::co_spawn(io, serve(acceptor, e), asio::detached);
  std::string body;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        boost::beast::tcp_stream stream(io);
        co_await stream.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
        http::request<http::string_body> req{http::verb::get, "/metrics", 11};
        req.keep_alive(false);
        co_await http::async_write(stream, req, asio::use_awaitable);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        co_await http::async_read(stream, buffer, res, asio::use_awaitable);
        body = res.body();
        acceptor.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(5));
  CHECK(body == "gitopsd_up 1\n");
}

TEST_CASE("a deleted GitRepository's series all go, others stay", "[metrics]") {
  gitopsd::server::metrics m;
  gitopsd::server::labels a{{"name", "a"}, {"namespace", "team"}};
  gitopsd::server::labels b{{"name", "b"}, {"namespace", "team"}};
  auto a_failed = a;
  a_failed.emplace_back("result", "failure");
  m.set("gitopsd_ready", a, 1);
  m.set("gitopsd_ready", b, 1);
  m.add("gitopsd_reconcile_total", a_failed);
  m.observe("gitopsd_reconcile_duration_seconds", a, 0.5);
  m.add("gitopsd_objects_applied_total", {{"action", "created"}}, 3);
  m.remove_matching(a);
  auto text = m.render();
  CHECK(text.find("name=\"a\"") == std::string::npos);
  CHECK(text.find("name=\"b\"") != std::string::npos);
  CHECK(text.find("action=\"created\"") != std::string::npos);
}
