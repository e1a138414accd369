// The Git source against the harness's smart-HTTP server (lighttpd + git-http-backend, basic auth),
// plain and with TLS signed by a test CA.

#include "git_servers.hpp"
#include "test_git_server.hpp"
#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::git;
using namespace gitopsd::test;

namespace {

source_spec spec(const std::string& url, ref_spec ref, std::map<std::string, std::string> secret = {}) {
  source_spec s;
  s.url = url;
  s.ref = std::move(ref);
  s.secret = std::move(secret);
  s.timeout = std::chrono::seconds(30);
  return s;
}

snapshot must(result<snapshot> r) {
  INFO((r.has_value() ? std::string() : r.error().what()));
  REQUIRE(r.has_value());
  return std::move(*r);
}

}  // namespace

TEST_CASE("HTTP basic auth: right, wrong and missing credentials", "[http]") {
  temp_dir tmp;
  served_repo repo(tmp.path, tmp.path / "root", "app");
  repo.work.write("deploy/cm.yaml", "kind: ConfigMap\n");
  const std::string first = repo.work.commit("first");
  repo.work.git("tag v1.0.0");
  repo.push("main v1.0.0");
  test_git_server server(git_server_kind::http, tmp.path / "root");
  const std::string url = server.url("app.git");
  const std::map<std::string, std::string> creds = {{"username", server.username()},
                                                    {"password", server.password()}};
  source_cache cache(tmp.path / "cache");

  auto snap = must(cache.fetch(spec(url, ref_spec::make_branch("main"), creds)));
  CHECK(snap.revision == "main@sha1:" + first);
  CHECK(snap.url == url);
  CHECK(snap.tree->read("deploy/cm.yaml").value() == "kind: ConfigMap\n");
  CHECK(cache.stats().fetches == 1);

  SECTION("no change: listing only") {
    must(cache.fetch(spec(url, ref_spec::make_branch("main"), creds)));
    CHECK(cache.stats().fetches == 1);
    CHECK(cache.stats().listings == 2);
  }
  SECTION("branch moved forward, tag and semver") {
    repo.work.write("deploy/cm.yaml", "kind: Secret\n");
    const std::string second = repo.work.commit("second");
    repo.push();
    auto moved = must(cache.fetch(spec(url, ref_spec::make_branch("main"), creds)));
    CHECK(moved.commit.sha == second);
    CHECK(cache.stats().fetches == 2);
    auto tag = must(cache.fetch(spec(url, ref_spec::make_semver("^1"), creds)));
    CHECK(tag.revision == "v1.0.0@sha1:" + first);
    CHECK(cache.stats().fetches == 2);  // first commit is cached already
  }
  SECTION("wrong password") {
    auto wrong = creds;
    wrong["password"] = "not-the-password";
    auto r = cache.fetch(spec(url, ref_spec::make_branch("main"), wrong));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::auth_failed);
    CHECK(r.error().message == "authentication to " + url + " failed: the server refused the credentials");
    CHECK(r.error().message.find("not-the-password") == std::string::npos);
  }
  SECTION("no credentials: a cached commit is not served") {
    auto r = cache.fetch(spec(url, ref_spec::make_branch("main")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::auth_failed);
    CHECK(r.error().message ==
          "authentication to " + url + " failed: the server asks for credentials and no Secret was given");
  }
  SECTION("unknown branch") {
    auto r = cache.fetch(spec(url, ref_spec::make_branch("release"), creds));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::ref_not_found);
    CHECK(r.error().message == "branch \"release\" not found in " + url);
  }
}

TEST_CASE("HTTPS with a test CA: trusted with ca.crt, refused without", "[https]") {
  temp_dir tmp;
  served_repo repo(tmp.path, tmp.path / "root", "app");
  repo.work.write("a.yaml", "a");
  const std::string sha = repo.work.commit("first");
  repo.push();
  test_git_server server(git_server_kind::https, tmp.path / "root", tmp.path / "ca");
  const std::string url = server.url("app.git");
  std::map<std::string, std::string> secret = {{"username", server.username()},
                                               {"password", server.password()},
                                               {"ca.crt", read_file(server.ca_file())}};
  source_cache cache(tmp.path / "cache");

  SECTION("with the CA") {
    auto snap = must(cache.fetch(spec(url, ref_spec::make_branch("main"), secret)));
    CHECK(snap.commit.sha == sha);
  }
  SECTION("localhost is in the certificate too") {
    auto local = url;
    local.replace(local.find("127.0.0.1"), 9, "localhost");
    CHECK(must(cache.fetch(spec(local, ref_spec::make_branch("main"), secret))).commit.sha == sha);
  }
  SECTION("missing CA") {
    secret.erase("ca.crt");
    auto r = cache.fetch(spec(url, ref_spec::make_branch("main"), secret));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::tls_failed);
    CHECK(r.error().message ==
          url + ": the server certificate of 127.0.0.1 is not trusted (give its CA as ca.crt in the Secret)");
  }
  SECTION("another CA") {
    run("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other-ca -keyout '" + (tmp.path / "o.key").string() +
        "' -out '" + (tmp.path / "o.crt").string() + "' -days 1 2>/dev/null");
    secret["ca.crt"] = read_file(tmp.path / "o.crt");
    auto r = cache.fetch(spec(url, ref_spec::make_branch("main"), secret));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::tls_failed);
    CHECK(r.error().message == url + ": the server certificate of 127.0.0.1 is not trusted by ca.crt: "
                                     "unable to get local issuer certificate");
  }
}

TEST_CASE("over HTTP: force-push, re-created tag, escapes and limits", "[http]") {
  temp_dir tmp;
  served_repo repo(tmp.path, tmp.path / "root", "app");
  repo.work.write("deploy/a.yaml", "a");
  repo.work.write("outside.txt", "private");
  repo.work.symlink("deploy/link.yaml", "../outside.txt");
  repo.work.commit("first");
  repo.work.git("tag -a -m one v1.0.0");
  repo.push("main v1.0.0");
  test_git_server server(git_server_kind::http, tmp.path / "root");
  const std::string url = server.url("app.git");
  const std::map<std::string, std::string> creds = {{"username", server.username()},
                                                    {"password", server.password()}};
  source_cache cache(tmp.path / "cache");
  auto at = [&](ref_spec ref, std::string path = {}) {
    auto s = spec(url, std::move(ref), creds);
    s.path = std::move(path);
    return s;
  };

  auto snap = must(cache.fetch(at(ref_spec::make_branch("main"), "deploy")));
  auto link = snap.tree->read("link.yaml");
  REQUIRE_FALSE(link.has_value());
  CHECK(link.error().code == errc::path_escape);
  auto escape = cache.fetch(at(ref_spec::make_branch("main"), "deploy/../.."));
  REQUIRE_FALSE(escape.has_value());
  CHECK(escape.error().code == errc::path_escape);
  auto limited = at(ref_spec::make_branch("main"));
  limited.limits.max_files = 2;
  auto big = cache.fetch(limited);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == errc::too_large);

  // Unrelated history force-pushed over main, and v1.0.0 deleted and re-created elsewhere.
  repo.work.git("checkout -q --orphan other");
  repo.work.git("rm -rq --cached .");
  std::filesystem::remove_all(repo.work.dir / "deploy");
  repo.work.write("deploy/b.yaml", "b");
  const std::string other = repo.work.commit("unrelated");
  repo.work.git("tag -d v1.0.0");
  repo.work.git("tag -a -m again v1.0.0");
  repo.push("other:main v1.0.0");
  auto forced = must(cache.fetch(at(ref_spec::make_branch("main"), "deploy")));
  CHECK(forced.commit.sha == other);
  CHECK(forced.tree->read("b.yaml").value() == "b");
  auto retag = must(cache.fetch(at(ref_spec::make_tag("v1.0.0"))));
  CHECK(retag.revision == "v1.0.0@sha1:" + other);
}
