#include "gpgme_home.hpp"

#include "gitopsd/core/log.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

extern char** environ;

namespace gitopsd::gpgme_home {

void ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { gpgme_check_version(nullptr); });
}

temp_home::temp_home() {
  std::error_code ec;
  auto base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "gitopsd-gnupg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

temp_home::~temp_home() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void temp_home::stop_agent() const {
  if (path_.empty()) return;
  // "all": newer GnuPG also starts keyboxd.
  std::vector<std::string> args{"gpgconf", "--homedir", path_, "--kill", "all"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int status = -1;
  if (posix_spawnp(&pid, "gpgconf", &actions, nullptr, argv.data(), environ) == 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  // A running agent keeps its process (not the folder, removed next) until it notices: say so.
  if (status != 0) log::warn("gpgconf --kill failed; a gpg-agent may outlive its temporary keyring", {{"home", path_}});
}

data_ptr memory_data(std::string_view bytes) {
  gpgme_data_t d = nullptr;
  if (gpgme_data_new_from_mem(&d, bytes.data(), bytes.size(), 0) != 0) return {};
  return data_ptr(d);
}

gpgme_error_t open_context(const temp_home& home, ctx_ptr& out) {
  gpgme_ctx_t raw = nullptr;
  if (auto err = gpgme_new(&raw); err != 0) return err;
  out.reset(raw);
  if (auto err = gpgme_set_protocol(raw, GPGME_PROTOCOL_OpenPGP); err != 0) return err;
  return gpgme_ctx_set_engine_info(raw, GPGME_PROTOCOL_OpenPGP, nullptr, home.path().c_str());
}

}  // namespace gitopsd::gpgme_home
