#include "gitopsd/git/listing_cache.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::git;
using namespace std::chrono_literals;

namespace {

const std::string url = "https://git.example.com/app.git";

std::shared_ptr<const std::vector<remote_ref>> refs_at(const std::string& oid) {
  return std::make_shared<const std::vector<remote_ref>>(std::vector<remote_ref>{{"refs/heads/main", oid}});
}

}  // namespace

TEST_CASE("a listing is reused only when it started at or after not_before", "[listing]") {
  auto t = listing_clock::now();
  CHECK(may_reuse_listing(t, t));
  CHECK(may_reuse_listing(t, t - 1s));
  CHECK_FALSE(may_reuse_listing(t, t + 1ns));
  CHECK_FALSE(may_reuse_listing(t, listing_clock::time_point::max()));
}

TEST_CASE("the credentials digest tells every Secret apart and keeps no secret text", "[listing]") {
  std::map<std::string, std::string> a{{"username", "git"}, {"password", "one"}};
  std::map<std::string, std::string> b{{"username", "git"}, {"password", "two"}};
  CHECK(credentials_digest(url, a) == credentials_digest(url, a));
  CHECK(credentials_digest(url, a) != credentials_digest(url, b));
  CHECK(credentials_digest(url, a) != credentials_digest(url, {}));
  // Entry boundaries count: {"ab": "c"} is not {"a": "bc"}.
  CHECK(credentials_digest(url, {{"ab", "c"}}) != credentials_digest(url, {{"a", "bc"}}));
  CHECK(credentials_digest(url, {{"a", "b"}, {"c", "d"}}) != credentials_digest(url, {{"a", "b:1:c1:d"}}));
  CHECK(credentials_digest(url, a).size() == 64);
  CHECK(credentials_digest(url, a).find("one") == std::string::npos);
  // A token in the URL counts as credentials: the cache key of both URLs is the same.
  CHECK(credentials_digest("https://token-a@git.example.com/app.git", {}) !=
        credentials_digest("https://token-b@git.example.com/app.git", {}));
  CHECK(credentials_digest("https://token-a@git.example.com/app.git", {}) != credentials_digest(url, {}));
  // SHA-256 of the encoding "0:" (an empty URL, no entries), as `printf 0: | sha256sum` gives.
  CHECK(credentials_digest("", {}) == "ba768b331fd86cec803be04e56ab2b3d4c0e98ef4ee4fcd4e72ad7cce61a1d1f");
}

TEST_CASE("a remembered listing answers only the same credentials and recent enough requests", "[listing]") {
  listing_cache cache;
  auto t = listing_clock::now();
  const std::string mine = credentials_digest(url, {{"password", "mine"}});
  const std::string theirs = credentials_digest(url, {{"password", "theirs"}});
  cache.remember(mine, t, refs_at("aaaa"));

  const remembered_listing* hit = cache.find(mine, t - 30s);
  REQUIRE(hit != nullptr);
  CHECK(hit->refs->front().oid == "aaaa");
  CHECK(cache.find(theirs, t - 30s) == nullptr);  // other credentials never see it
  CHECK(cache.find(mine, t + 1s) == nullptr);     // older than asked: list anew

  // A newer listing replaces it; an older one does not.
  cache.remember(mine, t + 2s, refs_at("bbbb"));
  cache.remember(mine, t + 1s, refs_at("cccc"));
  REQUIRE(cache.find(mine, t + 2s) != nullptr);
  CHECK(cache.find(mine, t + 2s)->refs->front().oid == "bbbb");

  // A failed listing forgets what these credentials saw before, and only that.
  cache.remember(theirs, t, refs_at("dddd"));
  cache.forget(mine);
  CHECK(cache.find(mine, t - 1h) == nullptr);
  CHECK(cache.find(theirs, t - 1h) != nullptr);
}

TEST_CASE("a URL keeps a bounded number of credential sets, dropping the oldest listing", "[listing]") {
  listing_cache cache;
  auto t = listing_clock::now();
  for (std::size_t i = 0; i <= listing_cache::max_entries; ++i)
    cache.remember(credentials_digest(url, {{"password", std::to_string(i)}}), t + std::chrono::seconds(i), refs_at("aaaa"));
  CHECK(cache.size() == listing_cache::max_entries);
  CHECK(cache.find(credentials_digest(url, {{"password", "0"}}), t - 1h) == nullptr);
  CHECK(cache.find(credentials_digest(url, {{"password", "1"}}), t - 1h) != nullptr);
}

TEST_CASE("a URL keeps a bounded number of refs, and never a listing larger than that", "[listing]") {
  listing_cache cache;
  auto t = listing_clock::now();
  auto many = [](std::size_t n) {
    return std::make_shared<const std::vector<remote_ref>>(n, remote_ref{"refs/tags/x", std::string(40, 'a')});
  };
  const std::string a = credentials_digest(url, {{"password", "a"}});
  const std::string b = credentials_digest(url, {{"password", "b"}});
  cache.remember(a, t, many(listing_cache::max_refs / 2 + 1));
  cache.remember(b, t + 1s, many(listing_cache::max_refs / 2));
  CHECK(cache.find(a, t - 1h) == nullptr);  // the oldest went to make room
  CHECK(cache.find(b, t - 1h) != nullptr);

  cache.remember(b, t + 2s, many(listing_cache::max_refs + 1));
  CHECK(cache.find(b, t - 1h) == nullptr);  // too large: neither it nor the older one is kept
  CHECK(cache.size() == 0);
}

TEST_CASE("a URL keeps a bounded number of bytes: a listing of long ref names is not remembered", "[listing]") {
  listing_cache cache;
  auto t = listing_clock::now();
  const std::string a = credentials_digest(url, {{"password", "a"}});
  // 200 refs of 64 KiB names: few refs, 12.8 MiB.
  auto long_names = std::make_shared<const std::vector<remote_ref>>(200, remote_ref{std::string(64 << 10, 'r'), std::string(40, 'a')});
  cache.remember(a, t, long_names);
  CHECK(cache.find(a, t - 1h) == nullptr);
  CHECK(cache.size() == 0);
}
