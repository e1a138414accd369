#include "gitopsd/git/known_hosts.hpp"
#include "local_repo.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::git;
using gitopsd::test::run;
using gitopsd::test::temp_dir;

namespace {

// A fresh ed25519 public key as "ssh-ed25519 AAAA...".
std::string new_key(const temp_dir& tmp, const std::string& name) {
  auto file = (tmp.path / name).string();
  run("ssh-keygen -q -t ed25519 -N '' -C '' -f '" + file + "'");
  auto pub = run("cat '" + file + ".pub'");
  return pub.substr(0, pub.find(' ', pub.find(' ') + 1));
}

std::string blob_of(const std::string& key_line) {
  auto hosts = parse_known_hosts("h " + key_line);
  REQUIRE(hosts.size() == 1);
  return hosts[0].key;
}

}  // namespace

TEST_CASE("known_hosts: plain names, ports, wildcards and negation", "[known_hosts]") {
  temp_dir tmp;
  const std::string a = new_key(tmp, "a"), b = new_key(tmp, "b");
  const std::string text = "# comment\n\n"
                           "github.com " + a + "\n"
                           "[git.internal]:2222 " + a + "\n"
                           "!bad.example.com,*.example.com " + a + "\n"
                           "garbage line\n"
                           "@cert-authority *.corp " + b + "\n";
  auto hosts = parse_known_hosts(text);
  REQUIRE(hosts.size() == 3);
  CHECK(hosts[0].key_type == "ssh-ed25519");
  const auto ka = blob_of(a), kb = blob_of(b);
  CHECK(check_host_key(hosts, "github.com", 22, ka) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "GitHub.com", 22, ka) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "github.com", 22, kb) == host_key_verdict::mismatch);
  CHECK(check_host_key(hosts, "github.com", 2222, ka) == host_key_verdict::unknown);
  CHECK(check_host_key(hosts, "git.internal", 2222, ka) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "git.internal", 22, ka) == host_key_verdict::unknown);
  CHECK(check_host_key(hosts, "git.example.com", 22, ka) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "bad.example.com", 22, ka) == host_key_verdict::unknown);
  CHECK(check_host_key(hosts, "x.corp", 22, kb) == host_key_verdict::unknown);  // CA lines are not trust
  CHECK(check_host_key(hosts, "gitlab.com", 22, ka) == host_key_verdict::unknown);
}

TEST_CASE("known_hosts: other key types are unknown, revoked keys refused", "[known_hosts]") {
  temp_dir tmp;
  const std::string ed = new_key(tmp, "ed");
  run("ssh-keygen -q -t ecdsa -N '' -C '' -f '" + (tmp.path / "ec").string() + "'");
  auto ec_pub = run("cat '" + (tmp.path / "ec.pub").string() + "'");
  ec_pub = ec_pub.substr(0, ec_pub.find(' ', ec_pub.find(' ') + 1));
  auto hosts = parse_known_hosts("host " + ec_pub + "\n@revoked host " + ed + "\n");
  REQUIRE(hosts.size() == 2);
  CHECK(hosts[1].revoked);
  // The server offers ed25519 but only an ecdsa key is listed: unknown, not a changed key.
  auto only_ec = parse_known_hosts("host " + ec_pub + "\n");
  CHECK(check_host_key(only_ec, "host", 22, blob_of(ed)) == host_key_verdict::unknown);
  CHECK(check_host_key(hosts, "host", 22, blob_of(ed)) == host_key_verdict::revoked);
  CHECK(check_host_key(hosts, "host", 22, blob_of(ec_pub)) == host_key_verdict::match);
}

TEST_CASE("known_hosts: hashed host names as ssh-keygen -H writes them", "[known_hosts]") {
  temp_dir tmp;
  const std::string k = new_key(tmp, "k");
  const auto file = (tmp.path / "known_hosts").string();
  run("printf '%s\\n' 'git.example.org " + k + "' '[10.1.2.3]:2200 " + k + "' > '" + file + "'");
  run("ssh-keygen -q -H -f '" + file + "'");
  const std::string hashed = run("cat '" + file + "'");
  REQUIRE(hashed.find("git.example.org") == std::string::npos);
  auto hosts = parse_known_hosts(hashed);
  REQUIRE(hosts.size() == 2);
  CHECK(hosts[0].patterns[0].rfind("|1|", 0) == 0);
  CHECK(check_host_key(hosts, "git.example.org", 22, blob_of(k)) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "10.1.2.3", 2200, blob_of(k)) == host_key_verdict::match);
  CHECK(check_host_key(hosts, "10.1.2.3", 22, blob_of(k)) == host_key_verdict::unknown);
  CHECK(check_host_key(hosts, "git.example.com", 22, blob_of(k)) == host_key_verdict::unknown);
}

TEST_CASE("key type and fingerprint match what ssh-keygen reports", "[known_hosts]") {
  temp_dir tmp;
  const std::string k = new_key(tmp, "fp");
  const auto blob = blob_of(k);
  CHECK(key_blob_type(blob) == "ssh-ed25519");
  CHECK(key_blob_type("") == "");
  CHECK(key_blob_type(std::string("\0\0\0\x09ssh", 7)) == "");
  auto listed = run("ssh-keygen -l -E sha256 -f '" + (tmp.path / "fp.pub").string() + "'");
  // "256 SHA256:xxxx comment (ED25519)"
  auto fp = listed.substr(listed.find(' ') + 1);
  fp = fp.substr(0, fp.find(' '));
  CHECK(fingerprint_sha256(blob) == fp);
}
