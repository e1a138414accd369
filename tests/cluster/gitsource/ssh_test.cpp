// The Git source against the harness's sshd (key auth, git-shell): host keys and identities.

#include "git_servers.hpp"
#include "test_git_server.hpp"
#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/source.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::git;
using namespace gitopsd::test;

namespace {

std::string keygen(const std::filesystem::path& file, const std::string& passphrase = "") {
  run("ssh-keygen -q -t ed25519 -N '" + passphrase + "' -f '" + file.string() + "'");
  return read_file(file.string() + ".pub");
}

}  // namespace

TEST_CASE("SSH: known_hosts is required and checked, the key authenticates", "[ssh]") {
  temp_dir tmp;
  served_repo repo(tmp.path, tmp.path / "root", "app");
  repo.work.write("a.yaml", "a");
  const std::string sha = repo.work.commit("first");
  repo.push();
  test_git_server server(git_server_kind::ssh, tmp.path / "root");
  const std::string url = server.url("app.git");
  const std::string port = std::to_string(server.port());
  std::map<std::string, std::string> secret = {{"identity", read_file(server.identity_file())},
                                               {"known_hosts", read_file(server.known_hosts_file())}};
  source_cache cache(tmp.path / "cache");
  auto fetch = [&](const std::map<std::string, std::string>& s) {
    source_spec spec;
    spec.url = url;
    spec.ref = ref_spec::make_branch("main");
    spec.secret = s;
    spec.timeout = std::chrono::seconds(30);
    return cache.fetch(spec);
  };

  SECTION("right key and known host") {
    auto r = fetch(secret);
    INFO((r.has_value() ? std::string() : r.error().what()));
    REQUIRE(r.has_value());
    CHECK(r->revision == "main@sha1:" + sha);
    CHECK(r->tree->read("a.yaml").value() == "a");
  }
  SECTION("known_hosts missing") {
    secret.erase("known_hosts");
    auto r = fetch(secret);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::host_key_unknown);
    CHECK(r.error().message == url + ": known_hosts is required in the Secret for SSH URLs");
  }
  SECTION("host not listed") {
    auto other = keygen(tmp.path / "other_host");
    secret["known_hosts"] = "[127.0.0.1]:1 " + other;
    auto r = fetch(secret);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::host_key_unknown);
    CHECK_THAT(r.error().message, Catch::StartsWith(url + ": host 127.0.0.1 with key ssh-ed25519 SHA256:"));
    CHECK_THAT(r.error().message, Catch::EndsWith(" is not in known_hosts"));
  }
  SECTION("host key changed") {
    auto other = keygen(tmp.path / "other_host");
    secret["known_hosts"] = "[127.0.0.1]:" + port + " " + other;
    auto r = fetch(secret);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::host_key_mismatch);
    CHECK_THAT(r.error().message, Catch::StartsWith(url + ": the SSH host key changed: server presents ssh-ed25519 SHA256:"));
  }
  SECTION("a key the server does not accept") {
    keygen(tmp.path / "stranger");
    secret["identity"] = read_file(tmp.path / "stranger");
    auto r = fetch(secret);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == errc::auth_failed);
    CHECK(r.error().message.find("BEGIN OPENSSH") == std::string::npos);
  }
  SECTION("a key with a passphrase") {
    auto pub = keygen(tmp.path / "locked", "sesame");
    {
      // The server's state folder holds both its client key and authorized_keys.
      std::ofstream keys(server.identity_file().parent_path() / "authorized_keys", std::ios::app);
      keys << "restrict,command=\"git-shell -c \\\"$SSH_ORIGINAL_COMMAND\\\"\" " << pub;
    }
    secret["identity"] = read_file(tmp.path / "locked");
    secret["password"] = "sesame";
    auto r = fetch(secret);
    INFO((r.has_value() ? std::string() : r.error().what()));
    REQUIRE(r.has_value());
    CHECK(r->commit.sha == sha);
  }
}
