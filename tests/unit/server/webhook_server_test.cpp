// The webhook listener over a real socket, with the agent replaced by fakes: what each request
// gets, what it triggers, and that refusals wait for the same floor.
#include "gitopsd/server/webhook_server.hpp"
#include "gitopsd/server/webhook_signature.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <vector>

using namespace gitopsd::server;
namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

struct fake_agent {
  bool working = true;
  std::map<std::string, std::string> tokens{{"team/app", "s3cret-token"}};
  std::vector<std::string> triggered;

  webhook_handlers handlers() {
    return {[this] { return working; },
            [this](hook_target t) -> asio::awaitable<std::optional<std::string>> {
              auto it = tokens.find(t.namespace_ + "/" + t.name);
              if (it == tokens.end()) co_return std::nullopt;
              co_return it->second;
            },
            [this](const hook_target& t) { triggered.push_back(t.namespace_ + "/" + t.name); }};
  }
};

struct answer {
  int status = 0;
  std::chrono::milliseconds took{};
};

// Sends each request on its own connection, one after the other.
std::vector<answer> exchange(fake_agent& agent, std::vector<http::request<http::string_body>> requests,
                             webhook_limits limits = {}) {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  auto handlers = agent.handlers();
  asio::co_spawn(io, serve_webhooks(acceptor, handlers, limits), asio::detached);
  std::vector<answer> answers;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        for (auto& req : requests) {
          auto started = std::chrono::steady_clock::now();
          boost::beast::tcp_stream stream(io);
          co_await stream.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
          if (!req.chunked()) req.prepare_payload();
          co_await http::async_write(stream, req, asio::use_awaitable);
          boost::beast::flat_buffer buffer;
          http::response<http::string_body> res;
          auto [ec, n] = co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
          answers.push_back({ec ? -1 : static_cast<int>(res.result_int()),
                             std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)});
        }
        acceptor.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(20));
  return answers;
}

const std::string body = R"({"ref":"refs/heads/main"})";

http::request<http::string_body> post(std::string target, std::string payload = body) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.body() = std::move(payload);
  return req;
}

http::request<http::string_body> signed_post(std::string target, std::string token = "s3cret-token") {
  auto req = post(std::move(target));
  req.set("X-Hub-Signature-256", "sha256=" + hmac_sha256_hex(token, body));
  return req;
}

}  // namespace

TEST_CASE("a signed push is accepted and triggers its GitRepository", "[webhook]") {
  fake_agent agent;
  auto ping = signed_post("/hook/team/app");
  ping.set("X-GitHub-Event", "ping");
  auto gitlab = post("/hook/team/app");
  gitlab.set("X-Gitlab-Token", "s3cret-token");
  auto answers = exchange(agent, {signed_post("/hook/team/app"), ping, gitlab});
  REQUIRE(answers.size() == 3);
  CHECK(answers[0].status == 202);
  CHECK(answers[1].status == 200);  // a ping triggers nothing
  CHECK(answers[2].status == 202);
  CHECK(agent.triggered == std::vector<std::string>{"team/app", "team/app"});
}

TEST_CASE("refusals trigger nothing: 401 and 404 take the same floor", "[webhook]") {
  fake_agent agent;
  http::request<http::string_body> get{http::verb::get, "/hook/team/app", 11};
  auto answers = exchange(agent, {signed_post("/hook/team/app", "wrong"), post("/hook/team/app"),
                                  signed_post("/hook/team/unknown"), signed_post("/hook/team/App"), get,
                                  post("/hook/team/app", std::string(webhook_max_body + 1, 'a'))});
  REQUIRE(answers.size() == 6);
  CHECK(answers[0].status == 401);
  CHECK(answers[1].status == 401);
  CHECK(answers[2].status == 404);
  CHECK(answers[3].status == 404);
  CHECK(answers[4].status == 405);
  CHECK(answers[5].status == 413);
  CHECK(answers[0].took >= std::chrono::milliseconds(reject_floor_ms));
  CHECK(answers[2].took >= std::chrono::milliseconds(reject_floor_ms));
  CHECK(agent.triggered.empty());
}

TEST_CASE("a chunked body over the limit is refused while it is read", "[webhook]") {
  fake_agent agent;
  auto big = signed_post("/hook/team/app");
  big.body() = std::string(webhook_max_body + 1, 'a');
  big.chunked(true);
  auto answers = exchange(agent, {big});
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 413);
  CHECK(agent.triggered.empty());
}

TEST_CASE("a standby answers 503 and triggers nothing", "[webhook]") {
  fake_agent agent;
  agent.working = false;
  auto answers = exchange(agent, {signed_post("/hook/team/app")});
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 503);
  CHECK(agent.triggered.empty());
}

TEST_CASE("one source is rate limited", "[webhook]") {
  fake_agent agent;
  webhook_limits limits;
  limits.burst = 2;
  limits.requests_per_second = 0.001;
  auto answers = exchange(agent, {signed_post("/hook/team/app"), signed_post("/hook/team/app"), signed_post("/hook/team/app")}, limits);
  REQUIRE(answers.size() == 3);
  CHECK(answers[0].status == 202);
  CHECK(answers[1].status == 202);
  CHECK(answers[2].status == 429);
  CHECK(agent.triggered.size() == 2);
}
