#pragma once
// `gitopsd build --url ...`: fetch a commit with the Git source, render its path, print the
// objects on stdout and the resolved revision on stderr.

#include "gitopsd/core/error.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/render/build_command.hpp"
#include "gitopsd/verify/verify.hpp"

#include <functional>
#include <map>
#include <string>

namespace gitopsd::cli {

// The data of a Secret manifest file (YAML or JSON): `data` base64-decoded, `stringData` as is.
// Errors name the file and never quote values.
result<std::map<std::string, std::string>> read_secret_file(const std::string& path);

// --verify-keys / --verify-mode: verify the fetched commit (or tag) as spec.verify does. Files
// ending in .asc are armored OpenPGP public keys, files ending in .pub SSH public keys.
struct verify_flags {
  std::vector<std::string> key_files;  // none: no verification
  std::string mode = "HEAD";
};

// The key set of --verify-keys files, named by their file names as a Secret's keys would be.
result<verify::key_set> read_key_files(const std::vector<std::string>& files);

// Fetches the source's commit into `cache_dir` (empty: a temporary folder, removed afterwards)
// and hands the snapshot to `use` while the cache still holds it.
result<void> with_snapshot(const git::source_spec& source, const std::string& cache_dir,
                           const std::function<void(git::snapshot&)>& use);

struct rendered_commit {
  std::string revision;
  std::vector<render::manifest> objects;
};

// What `build --url` prints, as objects: the commit the ref flags select (none: branch main),
// with source.path rendered from the whole commit. Errors name what failed in one message.
result<rendered_commit> render_from_git(git::source_spec source, const std::string& branch, const std::string& tag,
                                        const std::string& semver, const std::string& commit,
                                        const std::string& secret_file, const std::string& cache_dir,
                                        const render::options& opts, const render::source_options& source_opts);

// The ref flags as git::ref_from_options reads them; none given: branch main.
int run_build_from_git(git::source_spec source, const std::string& branch, const std::string& tag,
                       const std::string& semver, const std::string& commit, const std::string& secret_file,
                       std::string cache_dir, render::output_format format,
                       const render::options& opts = {}, const render::source_options& source_opts = {},
                       const verify_flags& verification = {});

}  // namespace gitopsd::cli
