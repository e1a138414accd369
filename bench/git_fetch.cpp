// One Git source request, for the benchmark: prints the revision, wall time and fetches made
// (bench/git_bench.sh measures peak RSS around it). Usage: git_fetch fetch|poll CACHE_DIR URL BRANCH [USERNAME PASSWORD]
// "fetch" makes a snapshot (listing, fetch if needed, reading the tree into memory); "poll" only
// lists the remote and resolves the branch.

#include "gitopsd/git/source.hpp"

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5 && argc != 7) {
    std::fprintf(stderr, "usage: %s fetch|poll CACHE_DIR URL BRANCH [USERNAME PASSWORD]\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1];
  gitopsd::git::source_spec spec;
  spec.url = argv[3];
  spec.ref = gitopsd::git::ref_spec::make_branch(argv[4]);
  spec.allow_file = true;
  spec.timeout = std::chrono::minutes(10);
  spec.limits.max_files = 100000;
  if (argc == 7) spec.secret = {{"username", argv[5]}, {"password", argv[6]}};
  gitopsd::git::source_cache cache(argv[2]);
  auto start = std::chrono::steady_clock::now();
  std::string revision, error;
  if (mode == "poll") {
    auto r = cache.poll(spec);
    if (r) revision = r->revision; else error = r.error().what();
  } else {
    auto r = cache.fetch(spec);
    if (r) revision = r->revision; else error = r.error().what();
  }
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!error.empty()) {
    std::fprintf(stderr, "error: %s\n", error.c_str());
    return 1;
  }
  std::printf("%s %.0fms fetches=%llu\n", revision.c_str(), ms, static_cast<unsigned long long>(cache.stats().fetches));
  return 0;
}
