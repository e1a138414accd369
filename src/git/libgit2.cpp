#include "libgit2.hpp"

#include "timed_stream.hpp"

#include <mutex>
#include <stdexcept>

namespace gitopsd::git::lg2 {

void ensure_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (git_libgit2_init() < 0) throw std::runtime_error("libgit2 initialization failed: " + last_error());
    if (register_timed_stream() < 0) throw std::runtime_error("libgit2 stream registration failed: " + last_error());
  });
}

std::string last_error(const char* fallback) {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : fallback;
}

int last_error_class() {
  const git_error* e = git_error_last();
  return e ? e->klass : 0;
}

}  // namespace gitopsd::git::lg2
