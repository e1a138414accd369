#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace gitopsd;
using namespace gitopsd::git;
using gitopsd::test::temp_dir;
using gitopsd::test::work_repo;

namespace {

source_spec spec_for(const work_repo& r, ref_spec ref, std::string path = {}) {
  source_spec s;
  s.url = r.url();
  s.ref = std::move(ref);
  s.path = std::move(path);
  s.allow_file = true;
  s.timeout = std::chrono::seconds(20);
  return s;
}

snapshot must(result<snapshot> r) {
  INFO((r.has_value() ? std::string() : r.error().what()));
  REQUIRE(r.has_value());
  return std::move(*r);
}

error must_fail(result<snapshot> r) {
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("a branch resolves, snapshots its tree, and follows new commits", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("deploy/app.yaml", "kind: ConfigMap\n");
  remote.write("README.md", "hello");
  const std::string first = remote.commit("first commit\n\nbody");
  source_cache cache(tmp.path / "cache");

  auto snap = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  CHECK(snap.commit.sha == first);
  CHECK(snap.commit.short_sha == first.substr(0, 7));
  CHECK(snap.commit.author == "Test Author <author@example.com>");
  CHECK(snap.commit.subject == "first commit");
  CHECK(snap.revision == "main@sha1:" + first);
  CHECK(snap.tree->read("deploy/app.yaml").value() == "kind: ConfigMap\n");
  CHECK(snap.tree->read("README.md").value() == "hello");
  CHECK(cache.stats().fetches == 1);

  // No change: one more listing, no fetch.
  auto again = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  CHECK(again.commit.sha == first);
  CHECK(cache.stats().fetches == 1);
  CHECK(cache.stats().listings == 2);

  // The branch moves forward.
  remote.write("deploy/app.yaml", "kind: Secret\n");
  const std::string second = remote.commit("second");
  auto moved = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "deploy")));
  CHECK(moved.commit.sha == second);
  CHECK(moved.tree->read("app.yaml").value() == "kind: Secret\n");
  CHECK(moved.path == "deploy");
  CHECK(cache.stats().fetches == 2);
  // The older snapshot is immutable.
  CHECK(snap.tree->read("deploy/app.yaml").value() == "kind: ConfigMap\n");
}

TEST_CASE("a branch force-pushed to unrelated history is followed", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("a.yaml", "old");
  remote.commit("old history");
  source_cache cache(tmp.path / "cache");
  must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));

  remote.git("checkout -q --orphan fresh");
  remote.git("rm -rq --cached .");
  std::filesystem::remove(remote.dir / "a.yaml");
  remote.write("b.yaml", "new");
  const std::string fresh = remote.commit("unrelated history");
  remote.git("branch -f main fresh");
  auto snap = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  CHECK(snap.commit.sha == fresh);
  CHECK(snap.tree->read("b.yaml").value() == "new");
  CHECK(snap.tree->stat("a.yaml").error().code == errc::path_not_found);
}

TEST_CASE("tags: lightweight, annotated, deleted and re-created", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("f", "1");
  const std::string c1 = remote.commit("one");
  remote.git("tag light");
  remote.git("tag -a -m 'annotated tag' v1.0.0");
  remote.write("f", "2");
  const std::string c2 = remote.commit("two");
  source_cache cache(tmp.path / "cache");

  auto light = must(cache.fetch(spec_for(remote, ref_spec::make_tag("light"))));
  CHECK(light.commit.sha == c1);
  CHECK(light.revision == "light@sha1:" + c1);
  auto annotated = must(cache.fetch(spec_for(remote, ref_spec::make_tag("v1.0.0"))));
  CHECK(annotated.commit.sha == c1);
  CHECK(annotated.revision == "v1.0.0@sha1:" + c1);
  CHECK(cache.stats().fetches == 1);  // the annotated tag's commit was already cached

  remote.git("tag -d v1.0.0");
  remote.git("tag -a -m 're-created' v1.0.0");
  auto recreated = must(cache.fetch(spec_for(remote, ref_spec::make_tag("v1.0.0"))));
  CHECK(recreated.commit.sha == c2);
  CHECK(recreated.tree->read("f").value() == "2");
}

TEST_CASE("semver picks the highest matching tag, prereleases only when asked", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  auto tagged = [&](const std::string& tag, bool annotated) {
    remote.write("version", tag);
    std::string sha = remote.commit(tag);
    remote.git(annotated ? "tag -a -m x " + tag : "tag " + tag);
    return sha;
  };
  tagged("v1.0.0", false);
  const std::string v12 = tagged("v1.2.0", true);
  tagged("v1.10.0-rc.1", false);
  tagged("v2.0.0", true);
  tagged("not-a-version", false);
  source_cache cache(tmp.path / "cache");

  auto stable = must(cache.fetch(spec_for(remote, ref_spec::make_semver(">=1.0.0 <2.0.0"))));
  CHECK(stable.revision == "v1.2.0@sha1:" + v12);
  CHECK(stable.tree->read("version").value() == "v1.2.0");
  auto pre = must(cache.fetch(spec_for(remote, ref_spec::make_semver(">=1.0.0-0 <2.0.0"))));
  CHECK(pre.tree->read("version").value() == "v1.10.0-rc.1");
  auto caret = must(cache.fetch(spec_for(remote, ref_spec::make_semver("^2"))));
  CHECK(caret.tree->read("version").value() == "v2.0.0");
  auto none = must_fail(cache.fetch(spec_for(remote, ref_spec::make_semver("~3.1"))));
  CHECK(none.code == errc::ref_not_found);
  CHECK(none.message == "semver range \"~3.1\" not found in " + remote.url() + ": no tag matches the range");
}

TEST_CASE("a commit, alone or on a branch", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("f", "1");
  const std::string c1 = remote.commit("one");
  remote.write("f", "2");
  remote.commit("two");
  source_cache cache(tmp.path / "cache");

  auto bare = must(cache.fetch(spec_for(remote, ref_spec::make_commit(c1))));
  CHECK(bare.revision == "sha1:" + c1);
  CHECK(bare.tree->read("f").value() == "1");
  auto on = must(cache.fetch(spec_for(remote, ref_spec::make_commit(c1, "main"))));
  CHECK(on.revision == "main@sha1:" + c1);
  CHECK(cache.stats().fetches == 1);

  auto missing = must_fail(cache.fetch(spec_for(remote, ref_spec::make_commit(std::string(40, 'd')))));
  CHECK(missing.code == errc::ref_not_found);
  CHECK(missing.message == remote.url() + ": commit " + std::string(40, 'd') + " not found after fetching all branches");
}

TEST_CASE("unknown refs are reported with their name and the URL", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.commit("one");
  source_cache cache(tmp.path / "cache");
  auto e = must_fail(cache.fetch(spec_for(remote, ref_spec::make_branch("nope"))));
  CHECK(e.code == errc::ref_not_found);
  CHECK(e.message == "branch \"nope\" not found in " + remote.url());
  auto t = must_fail(cache.fetch(spec_for(remote, ref_spec::make_tag("v9"))));
  CHECK(t.message == "tag \"v9\" not found in " + remote.url());
  CHECK(cache.stats().fetches == 0);
}

TEST_CASE("paths must stay inside the repository, symlinks inside the snapshot", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("deploy/app.yaml", "x");
  remote.write("secret.txt", "outside");
  remote.symlink("deploy/inside.yaml", "app.yaml");
  remote.symlink("deploy/up.yaml", "../secret.txt");
  remote.symlink("deploy/abs.yaml", "/etc/passwd");
  const std::string sha = remote.commit("links");
  source_cache cache(tmp.path / "cache");

  auto escape = must_fail(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "deploy/../../x")));
  CHECK(escape.code == errc::path_escape);
  CHECK(escape.message == "path \"deploy/../../x\" leaves the repository (\"..\")");
  auto absolute = must_fail(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "/deploy")));
  CHECK(absolute.message == "path \"/deploy\" must be relative to the repository root");
  auto missing = must_fail(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "nothing/here")));
  CHECK(missing.code == errc::path_not_found);
  CHECK(missing.message == "path \"nothing/here\" not found in " + remote.url() + " at " + sha.substr(0, 7));
  auto file = must_fail(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "secret.txt")));
  CHECK(file.code == errc::not_a_directory);

  auto snap = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "./deploy/")));
  CHECK(snap.path == "deploy");
  CHECK(snap.tree->read("inside.yaml").value() == "x");
  auto up = snap.tree->read("up.yaml");
  REQUIRE_FALSE(up.has_value());
  CHECK(up.error().code == errc::path_escape);
  CHECK(up.error().message == "symlink \"up.yaml\" -> \"../secret.txt\" points outside the tree");
  CHECK(snap.tree->read("abs.yaml").error().code == errc::path_escape);
  // Seen from the repository root, the same link stays inside and is followed.
  auto root = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  CHECK(root.tree->read("deploy/up.yaml").value() == "outside");
}

TEST_CASE("size limits stop large trees with a clear error", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  for (int i = 0; i < 5; ++i) remote.write("f" + std::to_string(i), std::string(100, 'x'));
  const std::string sha = remote.commit("five files");
  source_cache cache(tmp.path / "cache");
  auto spec = spec_for(remote, ref_spec::make_branch("main"));
  spec.limits.max_files = 4;
  auto files = must_fail(cache.fetch(spec));
  CHECK(files.code == errc::too_large);
  CHECK(files.message == remote.url() + " at " + sha.substr(0, 7) + ": more than 4 files (limit max-git-tree-files)");
  spec.limits.max_files = 5;
  // Content is counted as it is read: four files fit in 450 bytes, the fifth does not.
  spec.limits.max_bytes = 450;
  auto snap = must(cache.fetch(spec));
  for (int i = 0; i < 4; ++i) CHECK(snap.tree->read("f" + std::to_string(i)).has_value());
  auto bytes = snap.tree->read("f4");
  REQUIRE_FALSE(bytes.has_value());
  CHECK(bytes.error().code == errc::too_large);
  CHECK(bytes.error().message == remote.url() + " at " + sha.substr(0, 7) + ": files read exceed 450 bytes (limit max-git-tree-bytes) at f4");
  CHECK(snap.tree->read("f0").value() == std::string(100, 'x'));  // read before: kept, not counted again
}

TEST_CASE("only the files a render reads are loaded: a huge file elsewhere costs nothing", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("deploy/app.yaml", "kind: ConfigMap\n");
  remote.write("assets/big.bin", std::string(100000, 'b'));
  const std::string sha = remote.commit("asset");
  source_cache cache(tmp.path / "cache");
  auto spec = spec_for(remote, ref_spec::make_branch("main"));
  spec.limits.max_bytes = 1000;
  auto snap = must(cache.fetch(spec));
  CHECK(snap.tree->stat("assets/big.bin").value() == tree_entry::kind::file);
  CHECK(snap.tree->read("deploy/app.yaml").value() == "kind: ConfigMap\n");
  auto big = snap.tree->read("assets/big.bin");
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().message ==
        remote.url() + " at " + sha.substr(0, 7) + ": files read exceed 1000 bytes (limit max-git-tree-bytes) at assets/big.bin");
  // The snapshot kept in the cache for the next request is the same lazy tree.
  auto again = must(cache.fetch(spec));
  CHECK(again.tree == snap.tree);
}

TEST_CASE("the cache can be lost and file URLs need permission", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  const std::string sha = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  std::filesystem::remove_all(tmp.path / "cache");
  auto again = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
  CHECK(again.commit.sha == sha);
  CHECK(cache.stats().fetches == 2);

  auto spec = spec_for(remote, ref_spec::make_branch("main"));
  spec.allow_file = false;
  auto refused = must_fail(cache.fetch(spec));
  CHECK(refused.code == errc::url_not_allowed);
}

TEST_CASE("two sources on the same URL share one cache and one fetch", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("deploy/a.yaml", "a");
  remote.write("other/b.yaml", "b");
  const std::string sha = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  result<snapshot> r1 = make_error(errc::internal), r2 = make_error(errc::internal);
  std::thread t1([&] { r1 = cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "deploy")); });
  std::thread t2([&] { r2 = cache.fetch(spec_for(remote, ref_spec::make_branch("main"), "other")); });
  t1.join();
  t2.join();
  CHECK(must(std::move(r1)).tree->read("a.yaml").value() == "a");
  CHECK(must(std::move(r2)).tree->read("b.yaml").value() == "b");
  CHECK(cache.stats().fetches == 1);
  CHECK(cache.stats().listings == 2);
  // One bare repository in the cache for the URL.
  CHECK(std::distance(std::filesystem::directory_iterator(tmp.path / "cache"), std::filesystem::directory_iterator{}) == 1);
}

TEST_CASE("poll resolves the ref from the listing alone", "[source][poll]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  const std::string c1 = remote.commit("one");
  remote.git("tag -a -m x v1.0.0");
  source_cache cache(tmp.path / "cache");

  auto branch = cache.poll(spec_for(remote, ref_spec::make_branch("main")));
  REQUIRE(branch.has_value());
  CHECK(branch->commit == c1);
  CHECK(branch->revision == "main@sha1:" + c1);
  auto tag = cache.poll(spec_for(remote, ref_spec::make_semver("1.x")));
  REQUIRE(tag.has_value());
  CHECK(tag->revision == "v1.0.0@sha1:" + c1);
  auto commit = cache.poll(spec_for(remote, ref_spec::make_commit(c1)));
  REQUIRE(commit.has_value());
  CHECK(commit->revision == "sha1:" + c1);
  CHECK(cache.stats().fetches == 0);
  CHECK(cache.stats().listings == 3);

  auto missing = cache.poll(spec_for(remote, ref_spec::make_branch("gone")));
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message == "branch \"gone\" not found in " + remote.url());
}

TEST_CASE("a fetch that downloads too much is aborted", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  std::string noise;
  for (int i = 0; i < 200000; ++i) noise += std::to_string(i * 7919 % 100003);  // compresses poorly
  remote.write("big.bin", noise);
  remote.commit("big");
  source_cache cache(tmp.path / "cache");
  auto spec = spec_for(remote, ref_spec::make_branch("main"));
  spec.budget.max_fetch_bytes = 64 * 1024;
  auto e = must_fail(cache.fetch(spec));
  CHECK(e.code == errc::too_large);
  CHECK(e.message == "fetching " + remote.url() + ": the download exceeds 65536 bytes (limit max-git-fetch-bytes)");
  spec.budget.max_fetch_bytes = 64ull << 20;
  CHECK(cache.fetch(spec).has_value());
}

TEST_CASE("URLs no GitRepository uses any more are released from memory and disk", "[source]") {
  temp_dir tmp;
  work_repo one(tmp.path / "one"), two(tmp.path / "two");
  one.write("a.yaml", "kind: ConfigMap\n");
  one.commit("one");
  two.write("b.yaml", "kind: ConfigMap\n");
  two.commit("two");
  auto count_folders = [&] {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(tmp.path / "cache")) n += e.is_directory() ? 1 : 0;
    return n;
  };
  {
    source_cache cache(tmp.path / "cache");
    must(cache.fetch(spec_for(one, ref_spec::make_branch("main"))));
    must(cache.fetch(spec_for(two, ref_spec::make_branch("main"))));
    CHECK(count_folders() == 2);
    CHECK(cache.release_unused({one.url()}) == 1);
    CHECK(count_folders() == 1);
    CHECK(cache.release_unused({one.url()}) == 0);
    // The kept URL still works from its cache: no second fetch.
    auto fetches = cache.stats().fetches;
    must(cache.fetch(spec_for(one, ref_spec::make_branch("main"))));
    CHECK(cache.stats().fetches == fetches);
  }
  // A new process forgets folders an earlier one left, and keeps foreign folders.
  std::filesystem::create_directories(tmp.path / "cache" / "not-ours");
  source_cache fresh(tmp.path / "cache");
  CHECK(fresh.release_unused({}) == 0);
  CHECK(count_folders() == 1);
  CHECK(std::filesystem::exists(tmp.path / "cache" / "not-ours"));
}

TEST_CASE("a cached repository that gathered too many packs is fetched anew", "[source]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  source_cache cache(tmp.path / "cache");
  auto packs = [&] {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.path / "cache"))
      n += e.path().extension() == ".pack" ? 1 : 0;
    return n;
  };
  std::size_t most = 0;
  std::string last;
  for (int i = 0; i < 40; ++i) {
    remote.write("cm.yaml", "kind: ConfigMap\nn: " + std::to_string(i) + "\n");
    last = remote.commit("commit " + std::to_string(i));
    auto snap = must(cache.fetch(spec_for(remote, ref_spec::make_branch("main"))));
    CHECK(snap.commit.sha == last);
    most = std::max(most, packs());
  }
  CHECK(most > 8);    // each fetch did add a pack
  CHECK(most <= 33);  // and the folder started over before growing without bound
  CHECK(packs() < most);
}

TEST_CASE("requests with the same URL and credentials share a recent listing", "[source][listing]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  remote.write("app.yaml", "one");
  const std::string first = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  auto before_listing = std::chrono::steady_clock::now();

  auto shared = spec_for(remote, ref_spec::make_branch("main"));
  shared.listing_not_before = before_listing;
  CHECK(must(cache.fetch(shared)).commit.sha == first);
  CHECK(must(cache.fetch(shared)).commit.sha == first);
  CHECK(cache.stats().listings == 1);
  CHECK(cache.stats().listings_reused == 1);
  CHECK(cache.stats().fetches == 1);
  auto polled = cache.poll(shared);
  REQUIRE(polled.has_value());
  CHECK(polled->commit == first);
  CHECK(cache.stats().listings == 1);
  CHECK(cache.stats().listings_reused == 2);

  // A push after the listing: a request content with that listing still sees the old commit; one
  // that wants a listing made after the push sees the new one.
  remote.write("app.yaml", "two");
  const std::string second = remote.commit("two");
  auto after_push = std::chrono::steady_clock::now();
  CHECK(must(cache.fetch(shared)).commit.sha == first);
  auto fresh = shared;
  fresh.listing_not_before = after_push;
  auto moved = must(cache.fetch(fresh));
  CHECK(moved.commit.sha == second);
  CHECK(moved.tree->read("app.yaml").value() == "two");
  CHECK(cache.stats().listings == 2);
  CHECK(cache.stats().fetches == 2);
  // That listing is now the one remembered: the older bound sees the new commit too.
  CHECK(must(cache.fetch(shared)).commit.sha == second);
  CHECK(cache.stats().listings == 2);
}

TEST_CASE("a listing is not shared with other credentials, nor by default", "[source][listing]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  const std::string first = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  auto past = std::chrono::steady_clock::now() - std::chrono::minutes(1);

  auto mine = spec_for(remote, ref_spec::make_branch("main"));
  mine.secret = {{"username", "git"}, {"password", "mine"}};
  mine.listing_not_before = past;
  auto theirs = mine;
  theirs.secret["password"] = "theirs";
  CHECK(must(cache.fetch(mine)).commit.sha == first);
  CHECK(must(cache.fetch(theirs)).commit.sha == first);
  CHECK(cache.stats().listings == 2);
  CHECK(cache.stats().listings_reused == 0);
  // The same credentials again: theirs is the newest listing, mine is still remembered.
  CHECK(must(cache.fetch(mine)).commit.sha == first);
  CHECK(cache.stats().listings == 2);
  CHECK(cache.stats().listings_reused == 1);

  // Without a bound (the CLI's and every caller's default) each request lists.
  auto plain = spec_for(remote, ref_spec::make_branch("main"));
  plain.secret = mine.secret;
  CHECK(must(cache.fetch(plain)).commit.sha == first);
  CHECK(cache.stats().listings == 3);
  CHECK(cache.stats().listings_reused == 1);
}

TEST_CASE("a failed listing is not remembered and ends reuse of the one before", "[source][listing]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  const std::string first = remote.commit("one");
  source_cache cache(tmp.path / "cache");
  auto past = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  auto shared = spec_for(remote, ref_spec::make_branch("main"));
  shared.listing_not_before = past;
  CHECK(must(cache.fetch(shared)).commit.sha == first);

  // The remote goes away; a fresh listing fails.
  std::filesystem::rename(remote.dir, tmp.path / "moved");
  auto fresh = shared;
  fresh.listing_not_before = std::chrono::steady_clock::time_point::max();
  must_fail(cache.fetch(fresh));
  CHECK(cache.stats().listings == 2);
  // Nothing is left to reuse: this one lists (and fails) too.
  must_fail(cache.fetch(shared));
  CHECK(cache.stats().listings == 3);
  CHECK(cache.stats().listings_reused == 0);
}

TEST_CASE("a remembered listing that names an uncached commit lists anew before fetching", "[source][listing]") {
  temp_dir tmp;
  work_repo remote(tmp.path / "remote");
  const std::string first = remote.commit("one");
  remote.git("branch other");
  source_cache cache(tmp.path / "cache");
  auto past = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  auto main_spec = spec_for(remote, ref_spec::make_branch("main"));
  main_spec.listing_not_before = past;
  // A poll lists and fetches nothing: the remembered listing names a commit not cached, which a
  // fetch must download over a connection of its own, listing anew.
  REQUIRE(cache.poll(main_spec).has_value());
  CHECK(must(cache.fetch(main_spec)).commit.sha == first);
  CHECK(cache.stats().listings == 2);
  CHECK(cache.stats().listings_reused == 1);
  CHECK(cache.stats().fetches == 1);
  CHECK(must(cache.fetch(main_spec)).commit.sha == first);
  CHECK(cache.stats().listings_reused == 2);

  // `other` moves after the listing; the listing names its old commit, cached already.
  remote.git("checkout -q other");
  const std::string on_other = remote.commit("other");
  auto other_spec = spec_for(remote, ref_spec::make_branch("other"));
  other_spec.listing_not_before = past;
  CHECK(must(cache.fetch(other_spec)).commit.sha == first);
  CHECK(cache.stats().listings == 2);

  // A tag created after the listing is not in it: the request lists anew and finds it.
  remote.git("tag v2.0.0");
  auto tag_spec = spec_for(remote, ref_spec::make_tag("v2.0.0"));
  tag_spec.listing_not_before = past;
  auto tagged = must(cache.fetch(tag_spec));
  CHECK(tagged.commit.sha == on_other);
  CHECK(cache.stats().listings == 3);
  CHECK(cache.stats().fetches == 2);
  // So does a poll for a tag pushed after the listing.
  remote.git("tag v3.0.0");
  auto tag3 = spec_for(remote, ref_spec::make_tag("v3.0.0"));
  tag3.listing_not_before = past;
  auto polled = cache.poll(tag3);
  REQUIRE(polled.has_value());
  CHECK(polled->commit == on_other);
  CHECK(cache.stats().listings == 4);
}
