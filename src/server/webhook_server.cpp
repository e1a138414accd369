#include "gitopsd/server/webhook_server.hpp"

#include "gitopsd/core/log.hpp"
#include "gitopsd/server/source_rate_limiter.hpp"
#include "gitopsd/server/webhook_signature.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <array>
#include <memory>

namespace gitopsd::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct shared_state {
  webhook_limits limits;
  source_rate_limiter limiter;
  std::size_t connections = 0;
  std::string dummy_token;  // HMAC key for names that have none, so they cost the same work

  explicit shared_state(webhook_limits l)
      : limits(l), limiter(l.requests_per_second, l.burst, l.max_sources), dummy_token(32, '\0') {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(dummy_token.data()), static_cast<int>(dummy_token.size())) != 1)
      dummy_token = "gitopsd-webhook-no-such-target";  // only timing depends on it
  }
};

const char* reason_text(int status) {
  switch (status) {
    case 200: return "ok: ping\n";
    case 202: return "accepted\n";
    case 401: return "unauthorized\n";
    case 404: return "not found\n";
    case 405: return "only POST\n";
    case 413: return "body larger than 1 MiB\n";
    case 431: return "request header too large\n";
    case 429: return "too many requests\n";
    case 503: return "not the working replica\n";
    default: return "\n";
  }
}

std::optional<std::string_view> header(const http::fields& f, std::string_view name) {
  auto it = f.find(name);
  if (it == f.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

asio::awaitable<void> reply(beast::tcp_stream& stream, int status) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::server, "gitopsd");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  if (status == 405) res.set(http::field::allow, "POST");
  if (status == 429 || status == 503) res.set(http::field::retry_after, "1");
  res.keep_alive(false);
  res.body() = reason_text(status);
  res.prepare_payload();
  co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
}

// After an early answer the client may still be sending: read a little and drop it, so closing
// does not reset the connection before the client has read the answer. Nothing is kept.
asio::awaitable<void> drain(beast::tcp_stream& stream) {
  stream.expires_after(std::chrono::seconds(1));
  std::array<char, 16 * 1024> scrap{};
  std::size_t total = 0;
  while (total < 4 * webhook_max_body) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(scrap), asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    total += n;
  }
}

asio::awaitable<void> close(beast::tcp_stream& stream, bool answered_early) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (answered_early) co_await drain(stream);
  stream.socket().close(ignored);
}

asio::awaitable<void> session(tcp::socket socket, std::shared_ptr<shared_state> state, const webhook_handlers& handlers) {
  struct counted {
    shared_state& s;
    ~counted() { --s.connections; }
  } count{*state};
  boost::system::error_code endpoint_error;
  std::string source = socket.remote_endpoint(endpoint_error).address().to_string();
  beast::tcp_stream stream(std::move(socket));
  stream.expires_after(state->limits.read_timeout);
  beast::flat_buffer buffer;
  http::request_parser<http::string_body> parser;
  parser.header_limit(state->limits.header_bytes);
  parser.body_limit(webhook_max_body);

  auto [header_error, header_bytes] = co_await http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (header_error) {
    // Beast checks a Content-Length against the body limit as it reads the header.
    int status = header_error == http::error::header_limit ? 431 : header_error == http::error::body_limit ? 413 : 0;
    if (status != 0) {
      co_await reply(stream, status);
      co_await close(stream, true);
    }
    co_return;
  }
  const auto& request = parser.get();
  auto target = parse_hook_path(std::string_view(request.target().data(), request.target().size()));
  request_head head;
  head.rate_limited = endpoint_error || !state->limiter.allow(source, source_rate_limiter::clock::now());
  head.post = request.method() == http::verb::post;
  head.path_valid = target.has_value();
  if (auto length = parser.content_length()) head.content_length = *length;
  head.working = handlers.working();
  if (auto early = screen(head)) {
    co_await reply(stream, *early);
    co_await close(stream, true);
    co_return;
  }
  if (auto expect = header(request, "Expect"); expect && beast::iequals(beast::string_view(expect->data(), expect->size()), "100-continue")) {
    http::response<http::empty_body> go_on{http::status::continue_, 11};
    co_await http::async_write(stream, go_on, asio::as_tuple(asio::use_awaitable));
  }

  auto [body_error, body_bytes] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (body_error == http::error::body_limit) {
    co_await reply(stream, 413);
    co_await close(stream, true);
    co_return;
  }
  if (body_error) co_return;  // timed out or went away: nothing to answer
  auto body_read_at = asio::steady_timer::clock_type::now();

  const auto& r = parser.get();
  // Not a temporary inside co_await: g++ 12 destroys the by-value argument twice there.
  auto lookup = handlers.token_of(*target);
  auto token = co_await std::move(lookup);
  signature_headers signature;
  signature.hub_signature_256 = header(r, "X-Hub-Signature-256");
  signature.forgejo_signature = header(r, "X-Forgejo-Signature");
  signature.gitea_signature = header(r, "X-Gitea-Signature");
  signature.hub_signature = header(r, "X-Hub-Signature");
  signature.gitlab_token = header(r, "X-Gitlab-Token");
  auto check = verify_signature(signature, r.body(), token ? *token : state->dummy_token);
  if (token) OPENSSL_cleanse(token->data(), token->size());
  request_verdict verdict;
  verdict.opted_in = token.has_value();
  verdict.signature_valid = check.valid;
  verdict.ping = is_ping({header(r, "X-GitHub-Event").value_or(""), header(r, "X-Gitea-Event").value_or(""),
                          header(r, "X-Forgejo-Event").value_or(""), header(r, "X-Event-Key").value_or("")});
  int status = judge(verdict);
  std::string object = target->namespace_ + "/" + target->name;
  if (status == 202) {
    // Checked again: leadership may have ended while the Secret was read.
    if (handlers.working()) {
      log::info("webhook accepted", {{"object", object}, {"provider", to_string(check.provider)}});
      handlers.trigger(*target);
    } else {
      status = 503;
    }
  } else if (status == 200) {
    log::info("webhook ping", {{"object", object}, {"provider", to_string(check.provider)}});
  } else {
    log::debug("webhook refused", {{"object", object}, {"status", status}, {"source", source}});
  }
  if (answered_after_floor(status)) {
    asio::steady_timer floor(stream.get_executor());
    floor.expires_at(body_read_at + std::chrono::milliseconds(reject_floor_ms));
    co_await floor.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  co_await reply(stream, status);
  co_await close(stream, false);
}

}  // namespace

asio::awaitable<void> serve_webhooks(tcp::acceptor& acceptor, const webhook_handlers& handlers, webhook_limits limits) {
  auto state = std::make_shared<shared_state>(limits);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;
    }
    if (state->connections >= state->limits.max_connections) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over the limit: no answer is cheaper than any
      continue;
    }
    ++state->connections;
    asio::co_spawn(acceptor.get_executor(), session(std::move(socket), state, handlers), asio::detached);
  }
}

}  // namespace gitopsd::server
