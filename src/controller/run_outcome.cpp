#include "gitopsd/controller/run_outcome.hpp"

namespace gitopsd::controller {

run_outcome classify_run(bool cancelled_from_outside, bool timed_out, std::optional<bool> reported, bool threw,
                         std::optional<bool> value) {
  if (cancelled_from_outside) return {ending::cancelled, false};
  if (timed_out && reported) return {ending::reported, *reported};
  if (timed_out) return {ending::timed_out, false};
  if (threw) return {ending::crashed, false};
  return {ending::finished, value.value_or(false)};
}

}  // namespace gitopsd::controller
