#include "socket_bytes.hpp"

// The kernel's own tcp_info: glibc's copy in <netinet/tcp.h> predates tcpi_bytes_received, and the
// two headers cannot meet in one file.
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>

namespace gitopsd::git {

std::uint64_t socket_bytes_received(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  // An older kernel fills less than the whole struct; the count is then unknown.
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return 0;
  return info.tcpi_bytes_received;
}

}  // namespace gitopsd::git
