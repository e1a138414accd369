#pragma once
// `gitopsd tree NAME`: the objects of a GitRepository's status.inventory, read live, each with its
// kstatus health.

#include "gitopsd/cli/kube_command.hpp"

namespace gitopsd::cli {

int run_tree(const kube_flags& flags, const std::string& name);

}  // namespace gitopsd::cli
