#include "test_git_server.hpp"

#include "test_cluster.hpp"

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <unistd.h>

namespace gitopsd::test {
namespace {

std::atomic<int> counter{0};

std::string kind_name(git_server_kind kind) {
  switch (kind) {
    case git_server_kind::http: return "http";
    case git_server_kind::https: return "https";
    case git_server_kind::ssh: return "ssh";
  }
  return "?";
}

std::map<std::string, std::string> parse_info(const std::string& text) {
  std::map<std::string, std::string> vars;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') value = value.substr(1, value.size() - 2);
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

command_result must(const std::vector<std::string>& argv, const command_options& options = {}) {
  auto r = run(argv, options);
  if (!r.ok()) throw std::runtime_error(describe(argv, r));
  return r;
}

}  // namespace

std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::path(GITOPSD_BINARY_DIR) / "test-scratch" / (name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

test_git_server::test_git_server(git_server_kind kind, std::filesystem::path repo_root, std::filesystem::path ca_dir)
    : kind_(kind), repo_root_(std::filesystem::absolute(std::move(repo_root))) {
  state_dir_ = std::filesystem::path(GITOPSD_BINARY_DIR) / "test-git-servers" /
               (kind_name(kind) + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(state_dir_);
  auto script = harness_dir() / "git" / (kind == git_server_kind::ssh ? "ssh.sh" : "http.sh");
  std::vector<std::string> argv{script.string(), "start", state_dir_.string()};
  if (kind != git_server_kind::ssh) argv.push_back(repo_root_.string());
  if (kind == git_server_kind::https) {
    if (ca_dir.empty()) {
      std::error_code ec;
      if (std::filesystem::exists(shared_cluster_dir() / "env", ec))
        ca_dir = test_cluster::shared().pki_dir();
      else
        ca_dir = state_dir_.string() + "-ca";
    }
    argv.insert(argv.end(), {"--tls", ca_dir.string()});
  }
  argv.insert(argv.end(), {"--owner", std::to_string(::getpid())});
  auto info = parse_info(must(argv).out);
  running_ = true;

  if (kind == git_server_kind::ssh) {
    base_url_ = info.at("URL_PREFIX") + repo_root_.string();
    port_ = std::stoi(info.at("PORT"));
    username_ = info.at("USER");
    identity_file_ = info.at("IDENTITY");
    known_hosts_file_ = info.at("KNOWN_HOSTS");
    known_hosts_line_ = info.at("KNOWN_HOSTS_LINE");
  } else {
    base_url_ = info.at("URL");
    port_ = std::stoi(base_url_.substr(base_url_.rfind(':') + 1));
    username_ = info.at("USERNAME");
    password_ = info.at("PASSWORD");
    if (!info.at("CA").empty()) ca_file_ = info.at("CA");
  }
}

test_git_server::~test_git_server() {
  try {
    stop();
  } catch (const std::exception&) {
    // The watchdog stops the server once this process is gone.
  }
}

void test_git_server::stop() {
  if (!running_) return;
  running_ = false;
  auto script = harness_dir() / "git" / (kind_ == git_server_kind::ssh ? "ssh.sh" : "http.sh");
  must({script.string(), "stop", state_dir_.string()});
}

std::string test_git_server::url(const std::string& repo_name) const { return base_url_ + "/" + repo_name; }

std::string commit_files(const std::filesystem::path& repo_root, const std::string& name,
                         const std::map<std::string, std::string>& files, const std::string& branch,
                         const std::string& message) {
  auto bare = std::filesystem::absolute(repo_root / name);
  if (!std::filesystem::exists(bare / "HEAD")) {
    std::filesystem::create_directories(bare);
    must({"git", "init", "-q", "--bare", "--initial-branch=" + branch, bare.string()});
  }
  // Work in a temporary clone so the commit goes through a real push.
  auto work = std::filesystem::path(bare.string() + ".work-" + std::to_string(::getpid()));
  std::filesystem::remove_all(work);
  must({"git", "clone", "-q", bare.string(), work.string()});
  command_options o;
  o.env = {{"GIT_AUTHOR_NAME", "gitopsd test"},      {"GIT_AUTHOR_EMAIL", "test@gitopsd.invalid"},
           {"GIT_COMMITTER_NAME", "gitopsd test"},   {"GIT_COMMITTER_EMAIL", "test@gitopsd.invalid"},
           {"GIT_CONFIG_GLOBAL", "/dev/null"},       {"GIT_CONFIG_NOSYSTEM", "1"}};
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"git", "-C", work.string()});
    return must(args, o);
  };
  // An empty clone has no branch yet; one with history checks the branch out (or starts it).
  if (!git({"branch", "-r"}).out.empty()) {
    if (run({"git", "-C", work.string(), "checkout", "-q", branch}, o).exit_code != 0) git({"checkout", "-q", "-b", branch});
  } else {
    git({"checkout", "-q", "--orphan", branch});
  }
  for (const auto& [path, content] : files) {
    auto file = work / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << content;
  }
  git({"add", "-A"});
  git({"commit", "-q", "--allow-empty", "-m", message});
  git({"push", "-q", "origin", "HEAD:refs/heads/" + branch});
  std::string commit = git({"rev-parse", "HEAD"}).out;
  std::filesystem::remove_all(work);
  while (!commit.empty() && (commit.back() == '\n' || commit.back() == '\r')) commit.pop_back();
  return commit;
}

}  // namespace gitopsd::test
