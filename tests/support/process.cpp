#include "process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace gitopsd::test {
namespace {

// Test binaries that use the harness die with the CTest process that started them, so an
// interrupted run leaves no test running on its own; the harness watchdogs then stop the servers
// and clusters those tests owned.
const bool dies_with_parent = [] { return ::prctl(PR_SET_PDEATHSIG, SIGKILL) == 0; }();

struct fd_pair {
  int read = -1;
  int write = -1;
};

fd_pair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  return {fds[0], fds[1]};
}

std::vector<std::string> child_environment(const command_options& options) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& name : options.unset_env) vars.erase(name);
  for (const auto& [name, value] : options.env) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

}  // namespace

command_result run(const std::vector<std::string>& argv, const command_options& options) {
  command_result result;
  if (argv.empty()) {
    result.err = "empty command";
    return result;
  }
  std::vector<std::string> env_strings = child_environment(options);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  // execvpe searches the PATH of the calling process; use the child's PATH instead.
  std::string path_value;
  for (const auto& e : env_strings)
    if (e.rfind("PATH=", 0) == 0) path_value = e.substr(5);

  // Resolve the program before fork: the child only calls async-signal-safe functions.
  std::string file = argv[0];
  if (file.find('/') == std::string::npos) {
    size_t start = 0;
    while (start <= path_value.size()) {
      size_t end = path_value.find(':', start);
      if (end == std::string::npos) end = path_value.size();
      std::string candidate = path_value.substr(start, end - start) + "/" + argv[0];
      if (::access(candidate.c_str(), X_OK) == 0) {
        file = candidate;
        break;
      }
      start = end + 1;
    }
  }
  const std::string exec_failed = "cannot run " + argv[0] + "\n";

  fd_pair in = make_pipe(), out = make_pipe(), err = make_pipe();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(in.read, 0);
    ::dup2(out.write, 1);
    ::dup2(err.write, 2);
    // Own process group, so a timeout can stop the command together with its children.
    ::setpgid(0, 0);
    ::execve(file.c_str(), args.data(), envp.data());
    (void)!::write(2, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  ::close(in.read);
  ::close(out.write);
  ::close(err.write);

  // Feed stdin and drain both outputs together, so no pipe fills up and blocks the child.
  size_t written = 0;
  int in_fd = in.write;
  if (options.input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  int out_fd = out.read, err_fd = err.read;
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  bool timed_out = false;
  char buf[65536];
  while (out_fd >= 0 || err_fd >= 0 || in_fd >= 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd fds[3];
    nfds_t n = 0;
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    int r = ::poll(fds, n, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (r < 0 && errno != EINTR) break;
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = ::write(in_fd, options.input.data() + written, options.input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) written = options.input.size();
        if (written >= options.input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (fds[i].fd == out_fd ? result.out : result.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        (fds[i].fd == out_fd ? out_fd : err_fd) = -1;
      }
    }
  }
  for (int fd : {in_fd, out_fd, err_fd})
    if (fd >= 0) ::close(fd);
  if (timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    result.exit_code = -1;
    result.err += "\n(timed out after " + std::to_string(options.timeout.count()) + "s)";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  return result;
}

std::string describe(const std::vector<std::string>& argv, const command_result& result) {
  std::string text;
  for (const auto& a : argv) text += (text.empty() ? "" : " ") + a;
  text += " => exit " + std::to_string(result.exit_code);
  if (!result.out.empty()) text += "\nstdout: " + result.out;
  if (!result.err.empty()) text += "\nstderr: " + result.err;
  return text;
}

}  // namespace gitopsd::test
