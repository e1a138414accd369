#pragma once
// RAII owners for libgit2 handles and the one-time library setup. Internal to the git module.

#include <git2.h>

#include <memory>
#include <string>

namespace gitopsd::git::lg2 {

// Initializes libgit2 once per process (thread-safe) and registers the deadline-aware socket stream.
void ensure_init();

// The text of libgit2's last error on this thread, or `fallback`.
std::string last_error(const char* fallback = "unknown libgit2 error");
int last_error_class();

template <class T, void (*Free)(T*)>
struct deleter {
  void operator()(T* p) const noexcept {
    if (p) Free(p);
  }
};

using repository = std::unique_ptr<git_repository, deleter<git_repository, git_repository_free>>;
using remote = std::unique_ptr<git_remote, deleter<git_remote, git_remote_free>>;
using object = std::unique_ptr<git_object, deleter<git_object, git_object_free>>;
using commit = std::unique_ptr<git_commit, deleter<git_commit, git_commit_free>>;
using tree = std::unique_ptr<git_tree, deleter<git_tree, git_tree_free>>;
using tree_entry = std::unique_ptr<git_tree_entry, deleter<git_tree_entry, git_tree_entry_free>>;
using blob = std::unique_ptr<git_blob, deleter<git_blob, git_blob_free>>;
using reference = std::unique_ptr<git_reference, deleter<git_reference, git_reference_free>>;
using odb = std::unique_ptr<git_odb, deleter<git_odb, git_odb_free>>;

inline std::string to_hex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace gitopsd::git::lg2
