#pragma once
// Reading signed objects from an open repository. Internal to the git module.

#include "gitopsd/core/error.hpp"
#include "gitopsd/verify/signed_object.hpp"

#include <git2.h>

#include <string>

namespace gitopsd::git {

result<verify::signed_object> read_signed_object(git_repository* repo, const std::string& id);

}  // namespace gitopsd::git
