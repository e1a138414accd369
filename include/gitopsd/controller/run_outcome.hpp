#pragma once
// How one bounded run of a reconcile's pipeline ended, and what is still to be written about it.

#include <optional>

namespace gitopsd::controller {

enum class ending {
  finished,   // the pipeline returned and wrote its own status
  reported,   // the deadline passed while the Event of a finished reconcile was sent: its status stands
  timed_out,  // the deadline cancelled the pipeline, which wrote nothing after it: report the timeout once
  crashed,    // an exception: report it at once as an internal error, with its text
  cancelled,  // cancelled from outside (shutdown, lost leadership): write nothing more
};

struct run_outcome {
  ending how;
  bool ok;  // Ready: no retry needed
};

// `reported`: the outcome that reached status, if the pipeline got that far; `value`: what the
// pipeline returned, if it returned.
run_outcome classify_run(bool cancelled_from_outside, bool timed_out, std::optional<bool> reported, bool threw,
                         std::optional<bool> value);

}  // namespace gitopsd::controller
