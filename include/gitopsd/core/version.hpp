#pragma once
// What `gitopsd version` prints: our version and commit, and the library versions we run with.

#include <string>

namespace gitopsd {

std::string version_report();

}  // namespace gitopsd
