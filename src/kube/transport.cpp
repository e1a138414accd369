#include "gitopsd/kube/transport.hpp"

#include "gitopsd/core/wait.hpp"
#include "gitopsd/kube/errc.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <curl/curl.h>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <unordered_map>

namespace asio = boost::asio;

namespace gitopsd::kube {
namespace {

void global_init_once() {
  static std::once_flag flag;
  std::call_once(flag, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool ready_now(int fd, short events) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (events | POLLERR | POLLHUP)) != 0;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  // Kubernetes sends delta-seconds; an HTTP date is treated as "unknown".
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.remove_suffix(1);
  if (value.empty() || value.size() > 9) return std::nullopt;
  long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != std::tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

}  // namespace

struct transport::impl : std::enable_shared_from_this<transport::impl> {
  struct socket_state {
    explicit socket_state(asio::any_io_executor ex) : descriptor(ex) {}
    asio::posix::stream_descriptor descriptor;
    curl_socket_t fd = CURL_SOCKET_BAD;
    int want = 0;
    bool reading = false;
    bool writing = false;
    bool closed = false;
  };

  struct transfer {
    explicit transfer(const asio::any_io_executor& ex) : finished(ex) {}
    ~transfer() {
      if (easy != nullptr) curl_easy_cleanup(easy);
      if (headers != nullptr) curl_slist_free_all(headers);
    }
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    http_request request;
    http_response response;
    wait::signal finished;
    CURLcode code = CURLE_OK;
    std::array<char, CURL_ERROR_SIZE> errbuf{};
  };

  impl(asio::any_io_executor ex, tls_settings t, transport_options o)
      : executor(std::move(ex)), tls(std::move(t)), options(std::move(o)), timer(executor),
        slots(executor, std::max<std::size_t>(options.max_in_flight, 1)) {
    global_init_once();
    multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &impl::on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &impl::on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
    curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS,
                      static_cast<long>(std::max<std::size_t>(100, options.max_in_flight + 16)));
    if (options.max_in_flight == 0) options.max_in_flight = 1;
    long connections_cap = options.max_connections;
    if (connections_cap == 0 && options.http2) connections_cap = static_cast<long>(options.max_in_flight / 100 + 1);
    if (connections_cap > 0) curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, connections_cap);
    capped = connections_cap > 0 && options.max_connections == 0;
  }

  ~impl() {
    timer.cancel();
    // Closes the connections still cached; curl calls on_close_socket for each of them.
    curl_multi_cleanup(multi);
    // The fds are curl's: never closed by a descriptor's destructor (the number may be reused).
    for (auto& [fd, s] : sockets) forget(*s);
  }

  // ---- curl callbacks -------------------------------------------------------------------------

  static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
    auto* self = static_cast<impl*>(userp);
    auto it = self->sockets.find(fd);
    if (what == CURL_POLL_REMOVE) {
      // Forgotten at once: curl may close this fd itself (its resolver's socket pair never goes
      // through on_close_socket), and a new connection may get the same number. An entry kept
      // here would then wait on a registration the kernel dropped with the old file.
      if (it != self->sockets.end()) {
        self->forget(*it->second);
        self->sockets.erase(it);
      }
      return 0;
    }
    if (it == self->sockets.end()) {
      auto state = std::make_shared<socket_state>(self->executor);
      state->fd = fd;
      boost::system::error_code ec;
      state->descriptor.assign(fd, ec);
      if (ec) return -1;
      it = self->sockets.emplace(fd, std::move(state)).first;
    }
    it->second->want = what;
    self->arm(it->second);
    return 0;
  }

  static int on_close_socket(void* clientp, curl_socket_t fd) {
    auto* self = static_cast<impl*>(clientp);
    if (auto it = self->sockets.find(fd); it != self->sockets.end()) {
      self->forget(*it->second);
      self->sockets.erase(it);
    }
    return ::close(fd);
  }

  // Stops watching a socket without closing it (curl owns the fd): waits still pending end
  // without calling curl, and the reactor lets go of the fd before anyone can reuse its number.
  void forget(socket_state& s) {
    s.closed = true;
    s.want = 0;
    boost::system::error_code ignored;
    s.descriptor.cancel(ignored);
    (void)s.descriptor.release();
  }

  static int on_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<impl*>(userp);
    if (timeout_ms < 0) {
      self->timer.cancel();
      return 0;
    }
    if (timeout_ms == 0) {
      // "At once", asked on every request added: a posted call costs no timer syscall.
      self->timer.cancel();
      if (!self->timeout_posted) {
        self->timeout_posted = true;
        asio::post(self->executor, [weak = self->weak_from_this()] {
          auto strong = weak.lock();
          if (!strong) return;
          strong->timeout_posted = false;
          strong->action(CURL_SOCKET_TIMEOUT, 0);
        });
      }
      return 0;
    }
    self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
    std::weak_ptr<impl> weak = self->weak_from_this();
    self->timer.async_wait([weak](boost::system::error_code ec) {
      auto strong = weak.lock();
      if (ec || !strong) return;
      strong->action(CURL_SOCKET_TIMEOUT, 0);
    });
    return 0;
  }

  static size_t on_write(char* data, size_t size, size_t count, void* userp) {
    auto* t = static_cast<transfer*>(userp);
    std::string_view chunk(data, size * count);
    if (t->request.on_data && t->response.status >= 200 && t->response.status < 300) {
      // An exception must not unwind through curl's C frames: it ends the transfer instead.
      try {
        if (!t->request.on_data(chunk)) return 0;  // curl ends the transfer with a write error
      } catch (...) {
        return 0;
      }
    } else {
      t->response.body.append(chunk);
    }
    return size * count;
  }

  static size_t on_header(char* data, size_t size, size_t count, void* userp) {
    auto* t = static_cast<transfer*>(userp);
    std::string_view line(data, size * count);
    if (line.starts_with("HTTP/")) {
      // A new status line (after a redirect or 100-continue): start over.
      auto space = line.find(' ');
      if (space != std::string_view::npos && line.size() >= space + 4) {
        long status = 0;
        for (char c : line.substr(space + 1, 3)) status = status * 10 + (c - '0');
        t->response.status = status;
      }
      t->response.retry_after.reset();
    } else if (header_is(line, "retry-after")) {
      t->response.retry_after = parse_retry_after(line.substr(12));
    } else if (header_is(line, "content-type")) {
      auto v = line.substr(13);
      while (!v.empty() && (v.front() == ' ')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      t->response.content_type = std::string(v);
    }
    return size * count;
  }

  // ---- driving curl ---------------------------------------------------------------------------

  void arm(const std::shared_ptr<socket_state>& s) {
    if (s->closed) return;
    if ((s->want & CURL_POLL_IN) && !s->reading) {
      s->reading = true;
      wait_on(s, asio::posix::descriptor_base::wait_read, POLLIN, CURL_CSELECT_IN, &socket_state::reading);
    }
    if ((s->want & CURL_POLL_OUT) && !s->writing) {
      s->writing = true;
      wait_on(s, asio::posix::descriptor_base::wait_write, POLLOUT, CURL_CSELECT_OUT, &socket_state::writing);
    }
  }

  void wait_on(const std::shared_ptr<socket_state>& s, asio::posix::descriptor_base::wait_type type, short poll_event,
               int curl_event, bool socket_state::*flag) {
    std::weak_ptr<impl> weak = weak_from_this();
    auto handler = [weak, s, curl_event, flag, poll_event](boost::system::error_code ec) {
      s.get()->*flag = false;
      auto self = weak.lock();
      if (!self || s->closed) return;
      int wanted = curl_event == CURL_CSELECT_IN ? CURL_POLL_IN : CURL_POLL_OUT;
      if (!ec && (s->want & wanted)) self->action(s->fd, curl_event);
      (void)poll_event;
      self->arm(s);
    };
    // Asio's reactor is edge-triggered: bytes curl left unread would never wake a new wait, so
    // look first and go straight to curl when the socket is already ready.
    if (ready_now(s->fd, poll_event))
      asio::post(executor, [handler] { handler({}); });
    else
      s->descriptor.async_wait(type, handler);
  }

  void action(curl_socket_t fd, int events) {
    int running = 0;
    inside_curl = true;
    curl_multi_socket_action(multi, fd, events, &running);
    inside_curl = false;
    collect_done();
  }

  void collect_done() {
    int pending = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &pending)) {
      if (msg->msg != CURLMSG_DONE) continue;
      transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
      CURLcode code = msg->data.result;
      curl_multi_remove_handle(multi, msg->easy_handle);
      if (t == nullptr) continue;
      t->code = code;
      t->finished.set();
      on_finished(*t);
    }
  }

  // ---- connections ----------------------------------------------------------------------------

  // The cap on connections follows the protocol the server answered with: HTTP/2 multiplexes
  // (one connection per ~100 streams), HTTP/1.1 needs a connection per request in flight.
  void on_finished(transfer& t) {
    if (!capped || t.code != CURLE_OK) return;
    long version = 0;
    curl_easy_getinfo(t.easy, CURLINFO_HTTP_VERSION, &version);
    if (version == CURL_HTTP_VERSION_2_0) return;
    capped = false;
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
  }

  CURL* make_easy(transfer& t) {
    CURL* e = curl_easy_init();
    const http_request& r = t.request;
    curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errbuf.data());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    // Bodies are a few KiB: small buffers (not 16 KiB down and 64 KiB up) for each of the many
    // requests in flight. Large answers just arrive in more pieces.
    curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 8L * 1024);
    curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 16L * 1024);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     options.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS) : static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(e, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &impl::on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &impl::on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, &impl::on_close_socket);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, this);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!tls.ca_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.ca_pem.data()), tls.ca_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (!tls.client_cert_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.client_cert_pem.data()), tls.client_cert_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_SSLCERT_BLOB, &blob);
      curl_easy_setopt(e, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!tls.client_key_pem.empty()) {
      curl_blob blob{const_cast<char*>(tls.client_key_pem.data()), tls.client_key_pem.size(), CURL_BLOB_COPY};
      curl_easy_setopt(e, CURLOPT_SSLKEY_BLOB, &blob);
      curl_easy_setopt(e, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (tls.insecure_skip_verify) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (r.method == "GET") {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method.c_str());
      if (!r.body.empty() || r.method != "DELETE") {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      }
    }
    t.headers = curl_slist_append(t.headers, "Expect:");
    for (const auto& [name, value] : r.headers) {
      std::string line = name + ": " + value;
      t.headers = curl_slist_append(t.headers, line.c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    return e;
  }

  asio::awaitable<result<http_response>> perform(http_request request) {
    using namespace asio::experimental::awaitable_operators;
    auto keep = shared_from_this();
    std::string what = fmt::format("{} {}", request.method, redact_url(request.url));
    auto timeout = request.timeout;
    // One deadline for the whole request: time queued for a slot counts too.
    asio::steady_timer deadline(executor, asio::steady_timer::time_point::max());
    if (timeout.count() > 0) deadline.expires_after(timeout);
    // The deadline's wait ends with an error code only when our caller cancelled us.
    auto ended_early = [&](const std::tuple<boost::system::error_code>& waited) {
      if (std::get<0>(waited)) return make_error(errc::cancelled, fmt::format("{}: cancelled", what));
      return make_error(errc::request_timeout, fmt::format("{}: no complete response within {} ms", what, timeout.count()));
    };
    std::optional<wait::semaphore::permit> slot;
    if (request.counts_toward_limit) {
      auto got = co_await (slots.acquire() || deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
      if (got.index() == 1) co_return ended_early(std::get<1>(got));
      slot = std::move(std::get<0>(got));
      if (!slot) co_return make_error(errc::cancelled, what + ": cancelled while waiting for a free slot");
    }
    ++all_in_flight;
    peak = std::max(peak, all_in_flight);
    struct count_guard {
      std::size_t& n;
      ~count_guard() { --n; }
    } counted{all_in_flight};

    auto t = std::make_shared<transfer>(executor);
    t->request = std::move(request);
    t->easy = make_easy(*t);
    // A watch callback (running inside curl) may start a request; curl refuses re-entry.
    if (inside_curl) co_await asio::post(executor, asio::use_awaitable);
    CURLMcode added = curl_multi_add_handle(multi, t->easy);
    if (added != CURLM_OK) co_return make_error(errc::transport_failed, fmt::format("{}: {}", what, curl_multi_strerror(added)));

    auto which = co_await (t->finished.wait() || deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (!t->finished.is_set()) {
      curl_multi_remove_handle(multi, t->easy);
      if (which.index() == 1) co_return ended_early(std::get<1>(which));
      co_return make_error(errc::cancelled, fmt::format("{}: cancelled", what));
    }
    long connects = 0;
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
    connections += connects;
    if (t->code != CURLE_OK) {
      std::string detail = t->errbuf[0] != '\0' ? std::string(t->errbuf.data()) : curl_easy_strerror(t->code);
      if (t->code == CURLE_OPERATION_TIMEDOUT)
        co_return make_error(errc::request_timeout, fmt::format("{}: {}", what, detail));
      // Nothing was sent: safe to try again whatever the method.
      if (t->code == CURLE_COULDNT_CONNECT || t->code == CURLE_COULDNT_RESOLVE_HOST || t->code == CURLE_COULDNT_RESOLVE_PROXY)
        co_return make_error(errc::connect_failed, fmt::format("{}: {}", what, detail));
      co_return make_error(errc::transport_failed, fmt::format("{}: {}", what, detail));
    }
    long version = 0;
    curl_easy_getinfo(t->easy, CURLINFO_HTTP_VERSION, &version);
    t->response.http_version = version == CURL_HTTP_VERSION_2_0 ? 2 : 1;
    co_return std::move(t->response);
  }

  // URLs carry no secrets in this client, but keep messages short: drop the query.
  static std::string redact_url(const std::string& url) {
    auto q = url.find('?');
    return q == std::string::npos ? url : url.substr(0, q);
  }

  asio::any_io_executor executor;
  tls_settings tls;
  transport_options options;
  CURLM* multi = nullptr;
  asio::steady_timer timer;
  std::unordered_map<curl_socket_t, std::shared_ptr<socket_state>> sockets;
  wait::semaphore slots;  // requests that count toward max_in_flight
  bool capped = false;    // a connection cap chosen for HTTP/2, lifted when the server speaks HTTP/1.1
  std::size_t all_in_flight = 0;
  std::size_t peak = 0;
  long connections = 0;
  bool inside_curl = false;
  bool timeout_posted = false;  // an "at once" timeout call is queued
};

transport::transport(asio::any_io_executor executor, tls_settings tls, transport_options options)
    : impl_(std::make_shared<impl>(std::move(executor), std::move(tls), std::move(options))) {}

transport::~transport() = default;

asio::awaitable<result<http_response>> transport::perform(http_request request) {
  auto self = impl_;
  co_return co_await self->perform(std::move(request));
}

std::size_t transport::in_flight() const { return impl_->all_in_flight; }
std::size_t transport::peak_in_flight() const { return impl_->peak; }
long transport::connections_opened() const { return impl_->connections; }

}  // namespace gitopsd::kube
