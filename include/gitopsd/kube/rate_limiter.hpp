#pragma once
// A client-side token bucket like client-go's (QPS with a burst): each request takes a token; when
// none is left the request waits for the next one. Reservations are FIFO. Pure: time is passed in.

#include <chrono>

namespace gitopsd::kube {

class token_bucket {
 public:
  using clock = std::chrono::steady_clock;
  // qps <= 0: unlimited.
  token_bucket(double qps, int burst);

  // Takes a token now or reserves the next one; returns how long to wait before using it.
  std::chrono::nanoseconds reserve(clock::time_point now);

 private:
  double qps_;
  double burst_;
  double tokens_;
  clock::time_point last_{};
  bool started_ = false;
};

}  // namespace gitopsd::kube
