// Real Git servers for tests (tests/cluster/git/*.sh): smart HTTP through lighttpd and
// git-http-backend with basic auth, the same over HTTPS, and SSH through Debian's sshd.
// Each serves the bare repositories in a folder, on a free loopback port, until destroyed.
#pragma once

#include "process.hpp"

#include <filesystem>
#include <map>
#include <string>

namespace gitopsd::test {

enum class git_server_kind { http, https, ssh };

class test_git_server {
 public:
  // Serves the bare repositories (folders such as app.git) in repo_root.
  // https: the server certificate is signed by the CA in ca_dir (ca.crt + ca.key); empty means
  // the shared test cluster's CA if it is up, else a CA of the server's own.
  test_git_server(git_server_kind kind, std::filesystem::path repo_root, std::filesystem::path ca_dir = {});
  ~test_git_server();
  test_git_server(const test_git_server&) = delete;
  test_git_server& operator=(const test_git_server&) = delete;

  git_server_kind kind() const { return kind_; }
  // URL of the repository in folder repo_root/<repo_name> (e.g. "app.git"):
  // http(s)://127.0.0.1:PORT/app.git or ssh://USER@127.0.0.1:PORT/<absolute repo_root>/app.git.
  std::string url(const std::string& repo_name) const;
  int port() const { return port_; }

  // http and https: basic-auth credentials (user fixed, password random per server).
  const std::string& username() const { return username_; }
  const std::string& password() const { return password_; }
  // https: the CA that signed the server certificate.
  const std::filesystem::path& ca_file() const { return ca_file_; }

  // ssh: the client's private key (ed25519, no passphrase), the user to log in as, and the
  // server's host key as a known_hosts line ("[127.0.0.1]:PORT ssh-ed25519 AAAA...") and file.
  const std::filesystem::path& identity_file() const { return identity_file_; }
  const std::string& ssh_user() const { return username_; }
  const std::string& known_hosts_line() const { return known_hosts_line_; }
  const std::filesystem::path& known_hosts_file() const { return known_hosts_file_; }

  // Stops the server now (the destructor does it otherwise).
  void stop();

 private:
  git_server_kind kind_;
  std::filesystem::path repo_root_;
  std::filesystem::path state_dir_;
  std::string base_url_;
  int port_ = 0;
  std::string username_;
  std::string password_;
  std::filesystem::path ca_file_;
  std::filesystem::path identity_file_;
  std::string known_hosts_line_;
  std::filesystem::path known_hosts_file_;
  bool running_ = false;
};

// Creates (or adds a commit to) the bare repository repo_root/<name> on `branch` with the given
// files (path => content; other files of that branch stay). Returns the new commit id.
std::string commit_files(const std::filesystem::path& repo_root, const std::string& name,
                         const std::map<std::string, std::string>& files, const std::string& branch = "main",
                         const std::string& message = "test commit");

// A fresh, empty folder under the build tree for one test (removed first if it exists).
std::filesystem::path scratch_dir(const std::string& name);

}  // namespace gitopsd::test
