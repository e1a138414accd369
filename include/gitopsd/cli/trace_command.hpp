#pragma once
// `gitopsd trace KIND/NAME`: which GitRepository manages an object (by its tracking id and
// labels), at which revision, and whether it is in sync now.

#include "gitopsd/cli/kube_command.hpp"

namespace gitopsd::cli {

int run_trace(const kube_flags& flags, const std::string& target);

}  // namespace gitopsd::cli
