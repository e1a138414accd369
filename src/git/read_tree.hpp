#pragma once
// Reads the tree of a commit under a path into a memory_tree, enforcing the limits.

#include "gitopsd/git/snapshot.hpp"
#include "libgit2.hpp"

#include <string_view>

namespace gitopsd::git {

// "./deploy/" -> "deploy"; errc::path_escape for absolute paths and "..".
result<std::string> clean_repo_path(std::string_view path);

result<std::shared_ptr<const file_tree>> read_tree(git_repository* repo, const git_commit* commit, const std::string& path,
                                                   const tree_limits& limits, std::string_view url);

commit_info describe_commit(const git_commit* commit);

}  // namespace gitopsd::git
