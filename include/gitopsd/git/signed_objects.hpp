#pragma once
// The bytes signature verification needs from a repository: a commit's signature and the content
// it signs, or an annotated tag's.

#include "gitopsd/core/error.hpp"
#include "gitopsd/verify/signed_object.hpp"

#include <filesystem>
#include <string>

namespace gitopsd::git {

// Reads the commit or annotated tag `id` (40 hex) of the repository at `repo_dir`. An unsigned
// object comes back with an empty signature; an id naming neither is errc::ref_not_found.
result<verify::signed_object> read_signed_object(const std::filesystem::path& repo_dir, const std::string& id);

}  // namespace gitopsd::git
