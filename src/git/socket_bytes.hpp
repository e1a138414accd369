#pragma once
#include <cstdint>

namespace gitopsd::git {

// Bytes the kernel has received on a TCP socket (0 when it cannot tell, e.g. not TCP).
std::uint64_t socket_bytes_received(int fd);

}  // namespace gitopsd::git
