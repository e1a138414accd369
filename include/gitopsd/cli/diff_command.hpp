#pragma once
// `gitopsd diff`: render a folder or a Git commit, dry-run every object through the API server as
// the agent would apply it (its field manager and marks, force), and print a unified diff of the
// live object and the result; with a GitRepository's name, also what its prune would delete.

#include "gitopsd/cli/kube_command.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/render/render_source.hpp"

#include <string>

namespace gitopsd::cli {

struct diff_options {
  std::string dir;            // a local folder, or
  git::source_spec source;    // url and path of a Git repository
  std::string branch, tag, semver, commit, secret_file, cache_dir;
  std::string name;           // the GitRepository whose marks, targetNamespace and inventory to use
  render::options render;
  render::source_options source_opts;
};

// 0: no difference, 1: a difference, 2: an error (one line on stderr).
int run_diff(const kube_flags& flags, diff_options options);

}  // namespace gitopsd::cli
