// A socket stream for libgit2 that honours the current operation's deadline and cancellation:
// connect and every read/write wait with poll() in short slices. Registered as libgit2's standard
// stream, so plain HTTP, TLS (libgit2 layers mbedTLS over it) and SSH all connect through it.
//
// libgit2 1.5's SSH transport reads the descriptor out of its own socket stream struct
// (`git_socket_stream`: parent, host, port, fd), so this stream keeps exactly that prefix.

#include "libgit2.hpp"
#include "operation.hpp"
#include "timed_stream.hpp"

#include <git2/sys/stream.h>

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

static_assert(LIBGIT2_VER_MAJOR == 1 && LIBGIT2_VER_MINOR == 5,
              "timed_stream mirrors libgit2 1.5's socket stream layout; re-check it for this version");

namespace gitopsd::git {
namespace {

struct timed_stream {
  git_stream parent;
  char* host;
  char* port;
  int fd;
  // fields above this line: same layout as libgit2 1.5's git_socket_stream
  operation* op;
};

constexpr int slice_ms = 100;

int wait_ms(operation* op) {
  if (!op) return slice_ms;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(op->deadline() - operation::clock::now()).count();
  return static_cast<int>(std::max<long long>(0, std::min<long long>(slice_ms, left)));
}

// Waits until `fd` is ready for `events`; -1 with a libgit2 error when the operation must stop.
int wait_ready(timed_stream* st, short events) {
  for (;;) {
    if (st->op && st->op->should_stop()) {
      auto why = st->op->current();
      git_error_set_str(GIT_ERROR_NET, why == operation::state::cancelled     ? "operation cancelled"
                                       : why == operation::state::over_budget ? "the server sent more than this operation may read"
                                                                              : "operation timed out");
      return -1;
    }
    pollfd p{st->fd, events, 0};
    int r = ::poll(&p, 1, wait_ms(st->op));
    if (r > 0) return 0;
    if (r < 0 && errno != EINTR) {
      git_error_set_str(GIT_ERROR_OS, std::strerror(errno));
      return -1;
    }
  }
}

int do_connect(git_stream* s) {
  auto* st = reinterpret_cast<timed_stream*>(s);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  addrinfo* info = nullptr;
  if (int rc = ::getaddrinfo(st->host, st->port, &hints, &info); rc != 0) {
    git_error_set(GIT_ERROR_NET, "failed to resolve address for %s: %s", st->host, gai_strerror(rc));
    return -1;
  }
  std::string last = "no address";
  for (addrinfo* p = info; p; p = p->ai_next) {
    int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
    if (fd < 0) continue;
    st->fd = fd;
    if (st->op) st->op->add_socket(fd);
    int rc = ::connect(fd, p->ai_addr, p->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (wait_ready(st, POLLOUT) == 0) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        if (err) last = std::strerror(err);
      } else if (st->op && st->op->should_stop()) {
        ::freeaddrinfo(info);
        return -1;  // the error is set by wait_ready
      }
    } else if (rc != 0) {
      last = std::strerror(errno);
    }
    if (rc == 0) {
      // Back to blocking mode: libssh2 uses the descriptor directly and expects it.
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      ::freeaddrinfo(info);
      return 0;
    }
    if (st->op) st->op->remove_socket(fd);
    ::close(fd);
    st->fd = -1;
  }
  ::freeaddrinfo(info);
  git_error_set(GIT_ERROR_OS, "failed to connect to %s:%s: %s", st->host, st->port, last.c_str());
  return -1;
}

ssize_t do_read(git_stream* s, void* data, size_t len) {
  auto* st = reinterpret_cast<timed_stream*>(s);
  if (wait_ready(st, POLLIN) < 0) return -1;
  ssize_t n = ::recv(st->fd, data, len, 0);
  if (n < 0) git_error_set(GIT_ERROR_NET, "error receiving data: %s", std::strerror(errno));
  // Counted as it arrives: an endless ref advertisement must end here, not in libgit2's memory.
  if (n > 0 && st->op && !st->op->count_read(static_cast<std::uint64_t>(n))) {
    git_error_set_str(GIT_ERROR_NET, "the server sent more than this operation may read");
    return -1;
  }
  return n;
}

ssize_t do_write(git_stream* s, const char* data, size_t len, int flags) {
  auto* st = reinterpret_cast<timed_stream*>(s);
  if (wait_ready(st, POLLOUT) < 0) return -1;
  ssize_t n = ::send(st->fd, data, len, flags | MSG_NOSIGNAL);
  if (n < 0) git_error_set(GIT_ERROR_NET, "error sending data: %s", std::strerror(errno));
  return n;
}

int do_close(git_stream* s) {
  auto* st = reinterpret_cast<timed_stream*>(s);
  if (st->fd >= 0) {
    if (st->op) st->op->remove_socket(st->fd);
    ::close(st->fd);
    st->fd = -1;
  }
  return 0;
}

void do_free(git_stream* s) {
  auto* st = reinterpret_cast<timed_stream*>(s);
  do_close(s);
  std::free(st->host);
  std::free(st->port);
  delete st;
}

int make_stream(git_stream** out, const char* host, const char* port) {
  auto* st = new timed_stream{};
  st->parent.version = GIT_STREAM_VERSION;
  st->parent.connect = do_connect;
  st->parent.read = do_read;
  st->parent.write = do_write;
  st->parent.close = do_close;
  st->parent.free = do_free;
  st->host = ::strdup(host);
  st->port = ::strdup(port ? port : "");
  st->fd = -1;
  st->op = operation::current_on_thread();
  *out = &st->parent;
  return 0;
}

}  // namespace

int register_timed_stream() {
  git_stream_registration reg{};
  reg.version = GIT_STREAM_VERSION;
  reg.init = make_stream;
  return git_stream_register(GIT_STREAM_STANDARD, &reg);
}

}  // namespace gitopsd::git
