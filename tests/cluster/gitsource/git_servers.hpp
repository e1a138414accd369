#pragma once
// Starts the harness's Git servers (tests/cluster/git/http.sh and ssh.sh) for one test and stops
// them afterwards; the servers also stop by themselves when this process is gone.

#include "../../unit/git/local_repo.hpp"

#include <unistd.h>

#include <map>
#include <sstream>
#include <string>

namespace gitopsd::test {

inline std::map<std::string, std::string> parse_info(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    out[line.substr(0, eq)] = value;
  }
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class git_server {
 public:
  // kind: "http", "https" or "ssh". Bare repositories live in repo_root.
  git_server(const std::string& kind, const std::filesystem::path& state, const std::filesystem::path& repo_root)
      : script_(std::string(GITOPSD_SOURCE_DIR) + "/tests/cluster/git/" + (kind == "ssh" ? "ssh.sh" : "http.sh")),
        state_(state) {
    std::string cmd = "'" + script_ + "' start '" + state.string() + "'";
    if (kind != "ssh") cmd += " '" + repo_root.string() + "'";
    if (kind == "https") cmd += " --tls '" + (state.parent_path() / (state.filename().string() + "-ca")).string() + "'";
    cmd += " --owner " + std::to_string(::getpid());
    // The harness picks a random port; it can collide with a client connection's ephemeral port
    // ("Address already in use"), so a failed start is retried on another port.
    std::string log;
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (std::system((cmd + " >'" + state.string() + ".log' 2>&1").c_str()) == 0) {
        info = parse_info(read_file(state / "info"));
        return;
      }
      log += read_file(state.string() + ".log");
      stop();
    }
    INFO(cmd << "\n" << log);
    REQUIRE(false);
  }
  ~git_server() { stop(); }
  git_server(const git_server&) = delete;
  git_server& operator=(const git_server&) = delete;

  std::map<std::string, std::string> info;

 private:
  void stop() {
    if (std::system(("'" + script_ + "' stop '" + state_.string() + "' >/dev/null 2>&1").c_str()) != 0) {
      // best effort: the harness's watchdog also stops servers whose owner is gone
    }
  }
  std::string script_;
  std::filesystem::path state_;
};

// A bare repository under `root` fed from a work repository by pushes.
struct served_repo {
  work_repo work;
  std::filesystem::path bare;
  served_repo(const std::filesystem::path& tmp, const std::filesystem::path& root, const std::string& name)
      : work(tmp / ("work-" + name)), bare(root / (name + ".git")) {
    std::filesystem::create_directories(root);
    run("git init -q --bare '" + bare.string() + "'");
  }
  std::string push(const std::string& refspec = "main") const {
    return work.git("push -q --force '" + bare.string() + "' " + refspec);
  }
};

}  // namespace gitopsd::test
