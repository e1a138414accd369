#pragma once
// The libgit2 callbacks of one remote operation: credentials from the Secret's data, host key and
// certificate checks, progress callbacks that stop on deadline or cancellation, and the mapping of a
// libgit2 failure to a typed error.

#include "gitopsd/git/known_hosts.hpp"
#include "gitopsd/git/url.hpp"
#include "libgit2.hpp"
#include "operation.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::git {

class session {
 public:
  session(const remote_url& url, const std::map<std::string, std::string>& secret, operation& op,
          std::chrono::milliseconds timeout, const git_budget& budget);
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  void fill(git_remote_callbacks& cb);
  // Extra HTTP headers (Authorization for bearerToken); empty for other schemes.
  const git_strarray* headers() { return &headers_; }

  // Bounds what the operation may read next: the ref advertisement, then the fetch (its pack plus
  // what negotiation costs, which a hostile server could also make endless).
  void begin_listing();
  void begin_fetch();
  // errc::too_large when the server advertises more refs than the budget allows.
  [[nodiscard]] std::optional<error> check_ref_count(std::size_t refs) const;

  // The typed error for a failed libgit2 call; `doing` is "listing refs of" or "fetching".
  error failure(int rc, std::string_view doing) const;

 private:
  static int on_credentials(git_credential** out, const char* url, const char* user_from_url, unsigned int allowed,
                            void* payload);
  static int on_certificate(git_cert* cert, int valid, const char* host, void* payload);
  static int on_transfer(const git_indexer_progress* stats, void* payload);
  static int on_sideband(const char* str, int len, void* payload);

  int check_host_key(const git_cert_hostkey& key);
  int check_x509(const git_cert_x509& cert, bool valid, const char* host);
  std::string secret(const char* key) const;

  const remote_url& url_;
  const std::map<std::string, std::string>& secret_;
  operation& op_;
  std::chrono::milliseconds timeout_;
  git_budget budget_;
  bool listing_ = false;  // the read budget in force is the listing's
  bool gave_secret_ = false;  // a password or key was handed out already
  std::optional<error> failure_;  // set by a callback that refused
  std::string authorization_;
  std::vector<char*> header_ptrs_;
  git_strarray headers_{nullptr, 0};
};

}  // namespace gitopsd::git
