#pragma once
// The Git budgets as flags of `gitopsd run`, `build` and `diff`, named as the errors name them
// ("limit max-git-fetch-bytes"); defaults and meaning in docs/rendering.md.

#include "gitopsd/git/source.hpp"

#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdint>

namespace gitopsd {

// Binds the flags to the limits the caller hands to the Git source.
inline void add_git_budget_flags(CLI::App* command, git::tree_limits& tree, git::git_budget& budget) {
  auto bytes = [&](const char* name, std::uint64_t& value, const char* help) {
    command->add_option(name, value, help)->capture_default_str()->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  };
  auto count = [&](const char* name, std::size_t& value, const char* help) {
    command->add_option(name, value, help)->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{100'000'000}));
  };
  bytes("--max-git-listing-bytes", budget.max_listing_bytes, "Bytes of a Git server's ref advertisement");
  count("--max-git-listing-refs", budget.max_listing_refs, "Refs a Git server may advertise");
  bytes("--max-git-fetch-bytes", budget.max_fetch_bytes, "Bytes one fetch may download");
  bytes("--max-git-tree-bytes", tree.max_bytes, "Bytes of files read from one commit (only what the render reads)");
  count("--max-git-tree-files", tree.max_files, "Files (and symlinks) of the fetched commit's tree");
}

}  // namespace gitopsd
