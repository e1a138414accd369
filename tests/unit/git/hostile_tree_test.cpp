// Trees no Git client writes but a push can carry: the snapshot refuses them with a message.
#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <fstream>
#include <vector>

using namespace gitopsd;
using namespace gitopsd::git;
using gitopsd::test::temp_dir;
using gitopsd::test::work_repo;

namespace {

std::string raw_sha(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

// Writes a tree object with the given (mode, name, hex id) entries verbatim and returns its id.
std::string literal_tree(const work_repo& r, const std::vector<std::array<std::string, 3>>& entries) {
  std::string bytes;
  for (const auto& [mode, name, id] : entries) bytes += mode + " " + name + std::string(1, '\0') + raw_sha(id);
  auto file = r.dir / ".." / "tree.bin";
  std::ofstream(file, std::ios::binary) << bytes;
  return r.git("hash-object -t tree -w --literally '" + file.string() + "'");
}

std::string commit_tree(const work_repo& r, const std::string& tree) {
  auto c = r.git("commit-tree " + tree + " -m hostile");
  r.git("update-ref refs/heads/main " + c);
  return c;
}

source_spec spec_for(const work_repo& r) {
  source_spec s;
  s.url = r.url();
  s.ref = ref_spec::make_branch("main");
  s.allow_file = true;
  s.timeout = std::chrono::seconds(20);
  return s;
}

}  // namespace

TEST_CASE("a tree entry whose name holds '/' fails the snapshot, naming the entry", "[source][hostile]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("x.yaml", "a: 1\n");
  remote.commit("first");
  auto blob = remote.git("rev-parse HEAD:x.yaml");
  commit_tree(remote, literal_tree(remote, {{{"100644", "a/b.yaml", blob}}}));
  auto snap = fetch_snapshot(tmp.path / "cache", spec_for(remote));
  REQUIRE_FALSE(snap.has_value());
  CHECK(snap.error().code == errc::path_escape);
  CHECK_THAT(snap.error().what(), Catch::Contains("\"a/b.yaml\"") && Catch::Contains("not a valid file name"));
}

TEST_CASE("a tree entry named \"..\" fails the snapshot", "[source][hostile]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("x.yaml", "a: 1\n");
  remote.commit("first");
  auto blob = remote.git("rev-parse HEAD:x.yaml");
  commit_tree(remote, literal_tree(remote, {{{"100644", "..", blob}}}));
  auto snap = fetch_snapshot(tmp.path / "cache", spec_for(remote));
  REQUIRE_FALSE(snap.has_value());
  CHECK_THAT(snap.error().what(), Catch::Contains("\"..\""));
}

TEST_CASE("folders nested past the depth limit fail the snapshot, naming the limit", "[source][hostile]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("x.yaml", "a: 1\n");
  remote.commit("first");
  auto tree = remote.git("rev-parse HEAD^{tree}");
  for (int i = 0; i < 300; ++i) tree = literal_tree(remote, {{{"40000", "d", tree}}});
  commit_tree(remote, tree);
  auto snap = fetch_snapshot(tmp.path / "cache", spec_for(remote));
  REQUIRE_FALSE(snap.has_value());
  CHECK(snap.error().code == errc::too_large);
  CHECK_THAT(snap.error().what(), Catch::Contains("folders nested deeper than 256 (limit)"));
}
