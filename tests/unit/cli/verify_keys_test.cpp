// `gitopsd build --url ... --verify-keys`: a commit signed by a trusted SSH key renders; an
// unsigned one, or one signed by another key, renders nothing and exits 1.
#include "../git/local_repo.hpp"
#include "gitopsd/cli/build_from_git.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

using namespace gitopsd;
using namespace gitopsd::test;

namespace {

// Runs the build with stdout and stderr captured.
int build(const work_repo& repo, const std::filesystem::path& cache, std::vector<std::string> keys, std::string& out,
          std::string& err) {
  std::ostringstream o, e;
  auto* old_out = std::cout.rdbuf(o.rdbuf());
  auto* old_err = std::cerr.rdbuf(e.rdbuf());
  git::source_spec source;
  source.url = repo.url();
  cli::verify_flags flags;
  flags.key_files = std::move(keys);
  int code = cli::run_build_from_git(source, "main", "", "", "", "", cache.string(), render::output_format::yaml, {}, {}, flags);
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  out = o.str();
  err = e.str();
  return code;
}

}  // namespace

TEST_CASE("build --verify-keys renders a commit signed by a trusted key only", "[cli]") {
  temp_dir dir;
  work_repo repo(dir.path / "repo");
  run("ssh-keygen -q -t ed25519 -N '' -f '" + (dir.path / "trusted").string() + "'");
  run("ssh-keygen -q -t ed25519 -N '' -f '" + (dir.path / "other").string() + "'");
  repo.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: signed}\n");
  repo.git("add -A");
  repo.git("-c gpg.format=ssh -c user.signingkey='" + (dir.path / "trusted").string() + "' commit -q -S -m signed");
  std::string trusted_pub = (dir.path / "trusted.pub").string();
  std::string out, err;

  CHECK(build(repo, dir.path / "cache", {trusted_pub}, out, err) == 0);
  CHECK_THAT(out, Catch::Contains("name: signed"));
  CHECK_THAT(err, Catch::Contains("verified: commit") && Catch::Contains("by SSH SHA256:"));

  CHECK(build(repo, dir.path / "cache", {(dir.path / "other.pub").string()}, out, err) == 1);
  CHECK(out.empty());
  CHECK_THAT(err, Catch::Contains("verification failed") && Catch::Contains("not among the trusted keys"));

  repo.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unsigned}\n");
  repo.commit("unsigned");
  CHECK(build(repo, dir.path / "cache", {trusted_pub}, out, err) == 1);
  CHECK(out.empty());
  CHECK_THAT(err, Catch::Contains("is not signed"));

  // A key file whose name says neither kind is refused before anything is fetched.
  CHECK(build(repo, dir.path / "cache", {(dir.path / "trusted").string()}, out, err) == 2);
  CHECK_THAT(err, Catch::Contains("must end in .asc (OpenPGP) or .pub (SSH)"));
}
