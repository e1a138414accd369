#pragma once
// Durations as Kubernetes users write them (Go's time.ParseDuration): "90s", "1m30s", "1.5h", "300ms".

#include "gitopsd/core/error.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace gitopsd {

using duration = std::chrono::nanoseconds;

// Accepts an optional sign and a sequence of decimal numbers each with a unit
// (ns, us, µs, ms, s, m, h); "0" alone is zero. Errors quote the input.
result<duration> parse_duration(std::string_view text);

// Go's formatting: "1h0m0s", "1m30s", "1.5s", "300ms", "0s".
std::string format_duration(duration d);

// Seconds elapsed since `start`, for logs and metrics.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace gitopsd
