// Acceptance of the test Git servers, driven with the git command line: credentials, the test CA
// and SSH host keys are really checked.
#include "test_cluster.hpp"
#include "test_git_server.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

using namespace gitopsd::test;

namespace {

// git with no user or system configuration and no CA bundle from the environment, so only what a
// test passes decides; prompts are off so a missing credential fails instead of waiting.
command_options clean_git(std::map<std::string, std::string> extra = {}) {
  command_options o;
  o.env = {{"GIT_CONFIG_GLOBAL", "/dev/null"}, {"GIT_CONFIG_NOSYSTEM", "1"}, {"GIT_TERMINAL_PROMPT", "0"}};
  for (auto& [k, v] : extra) o.env[k] = v;
  o.unset_env = {"GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_ASKPASS", "SSH_ASKPASS",
                 "SSH_AUTH_SOCK", "GIT_SSH", "GIT_SSH_COMMAND"};
  o.timeout = std::chrono::seconds(60);
  return o;
}

std::string with_credentials(const std::string& url, const std::string& user, const std::string& password) {
  auto scheme_end = url.find("://") + 3;
  return url.substr(0, scheme_end) + user + ":" + password + "@" + url.substr(scheme_end);
}

bool port_open(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

}  // namespace

TEST_CASE("git over HTTP needs the right password", "[git][http]") {
  auto dir = scratch_dir("git-http");
  auto commit = commit_files(dir / "repos", "app.git", {{"deploy/cm.yaml", "kind: ConfigMap\n"}});
  test_git_server server(git_server_kind::http, dir / "repos");
  auto url = server.url("app.git");
  CHECK(url.rfind("http://127.0.0.1:", 0) == 0);

  auto good = run({"git", "clone", "-q", with_credentials(url, server.username(), server.password()),
                   (dir / "good").string()}, clean_git());
  INFO(good.err);
  REQUIRE(good.ok());
  CHECK(run({"git", "-C", (dir / "good").string(), "rev-parse", "HEAD"}).out == commit + "\n");

  auto wrong = run({"git", "clone", "-q", with_credentials(url, server.username(), "wrong"), (dir / "wrong").string()},
                   clean_git());
  CHECK(wrong.exit_code == 128);
  CHECK_THAT(wrong.err, Catch::Contains("Authentication failed"));

  auto anonymous = run({"git", "clone", "-q", url, (dir / "anon").string()}, clean_git());
  CHECK(anonymous.exit_code == 128);

  int port = server.port();
  server.stop();
  CHECK_FALSE(port_open(port));
}

TEST_CASE("git over HTTPS trusts the server only with the test CA", "[git][https]") {
  auto dir = scratch_dir("git-https");
  commit_files(dir / "repos", "app.git", {{"README", "hello\n"}});
  test_git_server server(git_server_kind::https, dir / "repos");
  auto url = with_credentials(server.url("app.git"), server.username(), server.password());
  CHECK(url.rfind("https://", 0) == 0);
  REQUIRE_FALSE(server.ca_file().empty());
  // The shared cluster is up for these tests, so the server's certificate comes from its CA.
  CHECK(server.ca_file() == test_cluster::shared().ca_file());

  auto untrusted = run({"git", "clone", "-q", url, (dir / "untrusted").string()}, clean_git());
  CHECK(untrusted.exit_code == 128);
  CHECK_THAT(untrusted.err, Catch::Contains("certificate"));

  auto trusted = run({"git", "-c", "http.sslCAInfo=" + server.ca_file().string(), "clone", "-q", url,
                      (dir / "trusted").string()}, clean_git());
  INFO(trusted.err);
  CHECK(trusted.ok());
  CHECK(std::filesystem::exists(dir / "trusted" / "README"));
}

TEST_CASE("git over SSH checks the host key and the client key", "[git][ssh]") {
  auto dir = scratch_dir("git-ssh");
  auto commit = commit_files(dir / "repos", "app.git", {{"a.yaml", "a: 1\n"}});
  test_git_server server(git_server_kind::ssh, dir / "repos");
  auto url = server.url("app.git");
  CHECK(url.rfind("ssh://", 0) == 0);
  CHECK(server.known_hosts_line().rfind("[127.0.0.1]:" + std::to_string(server.port()) + " ssh-ed25519 ", 0) == 0);

  auto ssh_command = [](const std::filesystem::path& key, const std::filesystem::path& known_hosts) {
    return "ssh -F /dev/null -i " + key.string() + " -o IdentitiesOnly=yes -o BatchMode=yes" +
           " -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + known_hosts.string();
  };
  auto empty_known_hosts = dir / "empty_known_hosts";
  std::ofstream(empty_known_hosts).flush();

  auto unknown = run({"git", "clone", "-q", url, (dir / "unknown").string()},
                     clean_git({{"GIT_SSH_COMMAND", ssh_command(server.identity_file(), empty_known_hosts)}}));
  CHECK(unknown.exit_code == 128);
  CHECK_THAT(unknown.err, Catch::Contains("Host key verification failed"));

  auto good = run({"git", "clone", "-q", url, (dir / "good").string()},
                  clean_git({{"GIT_SSH_COMMAND", ssh_command(server.identity_file(), server.known_hosts_file())}}));
  INFO(good.err);
  REQUIRE(good.ok());
  CHECK(run({"git", "-C", (dir / "good").string(), "rev-parse", "HEAD"}).out == commit + "\n");

  auto other_key = dir / "other_key";
  REQUIRE(run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other_key.string()}).ok());
  auto wrong_key = run({"git", "clone", "-q", url, (dir / "wrong").string()},
                       clean_git({{"GIT_SSH_COMMAND", ssh_command(other_key, server.known_hosts_file())}}));
  CHECK(wrong_key.exit_code == 128);
  CHECK_THAT(wrong_key.err, Catch::Contains("Permission denied"));

  // The key opens git's transport only, never a shell.
  auto shell = run({"ssh", "-F", "/dev/null", "-i", server.identity_file().string(), "-o", "IdentitiesOnly=yes",
                    "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=" + server.known_hosts_file().string(), "-p",
                    std::to_string(server.port()), server.ssh_user() + "@127.0.0.1", "id"},
                   clean_git());
  CHECK_FALSE(shell.ok());
  CHECK_THAT(shell.err, Catch::Contains("unrecognized command"));
}
