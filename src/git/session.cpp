#include "session.hpp"

#include "gitopsd/git/errc.hpp"
#include "tls_verify.hpp"

#include <fmt/format.h>

namespace gitopsd::git {

session::session(const remote_url& url, const std::map<std::string, std::string>& secret, operation& op,
                 std::chrono::milliseconds timeout, const git_budget& budget)
    : url_(url), secret_(secret), op_(op), timeout_(timeout), budget_(budget) {
  if (auto token = secret_.find("bearerToken"); token != secret_.end() && url_.scheme.starts_with("http")) {
    authorization_ = "Authorization: Bearer " + token->second;
    header_ptrs_.push_back(authorization_.data());
    headers_ = git_strarray{header_ptrs_.data(), header_ptrs_.size()};
  }
}

std::string session::secret(const char* key) const {
  auto it = secret_.find(key);
  return it == secret_.end() ? std::string() : it->second;
}

void session::fill(git_remote_callbacks& cb) {
  cb.credentials = on_credentials;
  cb.certificate_check = on_certificate;
  cb.transfer_progress = on_transfer;
  cb.sideband_progress = on_sideband;
  cb.payload = this;
}

int session::on_credentials(git_credential** out, const char*, const char* user_from_url, unsigned int allowed,
                            void* payload) {
  auto* s = static_cast<session*>(payload);
  if (s->op_.should_stop()) return GIT_EUSER;
  // libgit2 asks again after the server refused what we gave: those credentials are wrong.
  if (allowed != GIT_CREDENTIAL_USERNAME && s->gave_secret_) {
    s->failure_ = make_error(errc::auth_failed,
                             fmt::format("authentication to {} failed: the server refused the credentials", s->url_.display));
    return GIT_EAUTH;
  }
  std::string user = user_from_url && *user_from_url ? user_from_url : s->secret("username");
  const std::string identity = s->secret("identity");
  if ((allowed & GIT_CREDENTIAL_SSH_MEMORY) && !identity.empty()) {
    if (user.empty()) user = "git";
    const std::string pass = s->secret("password");
    s->gave_secret_ = true;
    return git_credential_ssh_key_memory_new(out, user.c_str(), nullptr, identity.c_str(),
                                             pass.empty() ? nullptr : pass.c_str());
  }
  if (allowed & GIT_CREDENTIAL_USERNAME) {
    if (user.empty()) user = "git";
    return git_credential_username_new(out, user.c_str());
  }
  if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
    const std::string pass = s->secret("password");
    if (!user.empty() && !pass.empty()) s->gave_secret_ = true;
    if (!user.empty() && !pass.empty()) return git_credential_userpass_plaintext_new(out, user.c_str(), pass.c_str());
  }
  std::string given = s->secret_.empty() ? "no Secret was given" : "the Secret has no credentials for this method";
  s->failure_ = make_error(errc::auth_failed,
                           fmt::format("authentication to {} failed: the server asks for credentials and {}",
                                       s->url_.display, given));
  return GIT_EAUTH;
}

int session::on_certificate(git_cert* cert, int valid, const char* host, void* payload) {
  auto* s = static_cast<session*>(payload);
  if (s->op_.should_stop()) return GIT_EUSER;
  if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2) return s->check_host_key(*reinterpret_cast<git_cert_hostkey*>(cert));
  if (cert->cert_type == GIT_CERT_X509) return s->check_x509(*reinterpret_cast<git_cert_x509*>(cert), valid != 0, host);
  s->failure_ = make_error(errc::tls_failed, fmt::format("{}: unsupported certificate type", s->url_.display));
  return GIT_ECERTIFICATE;
}

int session::check_host_key(const git_cert_hostkey& key) {
  // The known_hosts of the Secret are the only trust: the process's own ~/.ssh is never consulted.
  if (!(key.type & GIT_CERT_SSH_RAW)) {
    failure_ = make_error(errc::host_key_unknown, fmt::format("{}: the SSH host key is not available", url_.display));
    return GIT_ECERTIFICATE;
  }
  std::string_view blob(key.hostkey, key.hostkey_len);
  const std::string known = secret("known_hosts");
  if (known.empty()) {
    failure_ = make_error(errc::host_key_unknown,
                          fmt::format("{}: known_hosts is required for SSH; server key is {} {}", url_.display,
                                      key_blob_type(blob), fingerprint_sha256(blob)));
    return GIT_ECERTIFICATE;
  }
  switch (git::check_host_key(parse_known_hosts(known), url_.host, url_.port, blob)) {
    case host_key_verdict::match: return 0;
    case host_key_verdict::mismatch:
      failure_ = make_error(errc::host_key_mismatch,
                            fmt::format("{}: the SSH host key changed: server presents {} {}, which known_hosts does "
                                        "not list for {}",
                                        url_.display, key_blob_type(blob), fingerprint_sha256(blob), url_.host));
      return GIT_ECERTIFICATE;
    case host_key_verdict::revoked:
      failure_ = make_error(errc::host_key_mismatch,
                            fmt::format("{}: the SSH host key {} is revoked in known_hosts", url_.display,
                                        fingerprint_sha256(blob)));
      return GIT_ECERTIFICATE;
    case host_key_verdict::unknown: break;
  }
  failure_ = make_error(errc::host_key_unknown,
                        fmt::format("{}: host {} with key {} {} is not in known_hosts", url_.display, url_.host,
                                    key_blob_type(blob), fingerprint_sha256(blob)));
  return GIT_ECERTIFICATE;
}

int session::check_x509(const git_cert_x509& cert, bool valid, const char* host) {
  if (valid) return 0;
  const std::string ca = secret("ca.crt");
  if (ca.empty()) {
    failure_ = make_error(errc::tls_failed,
                          fmt::format("{}: the server certificate of {} is not trusted (give its CA as ca.crt in the "
                                      "Secret)",
                                      url_.display, host));
    return GIT_ECERTIFICATE;
  }
  std::string_view der(static_cast<const char*>(cert.data), cert.len);
  if (auto why = verify_with_ca(der, ca, host)) {
    failure_ = make_error(errc::tls_failed,
                          fmt::format("{}: the server certificate of {} is not trusted by ca.crt: {}", url_.display,
                                      host, *why));
    return GIT_ECERTIFICATE;
  }
  return 0;
}

int session::on_transfer(const git_indexer_progress* stats, void* payload) {
  auto* s = static_cast<session*>(payload);
  if (s->op_.should_stop()) return GIT_EUSER;
  if (stats->received_bytes > s->budget_.max_fetch_bytes) {
    s->failure_ = make_error(errc::too_large,
                             fmt::format("fetching {}: the download exceeds {} bytes (limit max-git-fetch-bytes)",
                                         s->url_.display, s->budget_.max_fetch_bytes));
    return GIT_EUSER;
  }
  return 0;
}

int session::on_sideband(const char*, int, void* payload) {
  return static_cast<session*>(payload)->op_.should_stop() ? GIT_EUSER : 0;
}

void session::begin_listing() {
  listing_ = true;
  op_.set_read_budget(op_.bytes_read() + budget_.max_listing_bytes);
}

void session::begin_fetch() {
  listing_ = false;
  // The pack, plus as much again as a listing for negotiation and protocol framing.
  std::uint64_t room = budget_.max_fetch_bytes + budget_.max_listing_bytes;
  op_.set_read_budget(op_.bytes_read() + room);
}

std::optional<error> session::check_ref_count(std::size_t refs) const {
  if (refs <= budget_.max_listing_refs) return std::nullopt;
  return make_error(errc::too_large, fmt::format("listing refs of {}: the Git server at {} advertises {} refs, more "
                                                 "than {} (limit max-git-listing-refs)",
                                                 url_.display, url_.host, refs, budget_.max_listing_refs));
}

error session::failure(int rc, std::string_view doing) const {
  // libgit2 may quote the URL it was given, password and all: show the redacted one instead.
  std::string cause = lg2::last_error();
  for (auto at = cause.find(url_.for_git); !url_.for_git.empty() && at != std::string::npos; at = cause.find(url_.for_git))
    cause.replace(at, url_.for_git.size(), url_.display);
  switch (op_.current()) {
    case operation::state::timed_out:
      return make_error(errc::timeout, fmt::format("{} {}: timed out after {}ms", doing, url_.display, timeout_.count()));
    case operation::state::cancelled:
      return make_error(errc::cancelled, fmt::format("{} {}: cancelled", doing, url_.display));
    case operation::state::running:
    case operation::state::over_budget: break;
  }
  if (failure_) return *failure_;
  if (op_.over_read_budget()) {
    if (listing_)
      return make_error(errc::too_large,
                        fmt::format("listing refs of {}: the Git server at {} sent more than {} bytes of refs (limit "
                                    "max-git-listing-bytes)",
                                    url_.display, url_.host, budget_.max_listing_bytes));
    return make_error(errc::too_large,
                      fmt::format("fetching {}: the Git server at {} sent more than {} bytes (limit max-git-fetch-bytes "
                                  "plus max-git-listing-bytes)",
                                  url_.display, url_.host, budget_.max_fetch_bytes + budget_.max_listing_bytes));
  }
  // The status in libgit2's words, not bare digits: a port such as 40312 is in messages too.
  if (rc == GIT_EAUTH || cause.find("authentication") != std::string::npos || cause.find("authenticate") != std::string::npos ||
      cause.find("status code: 401") != std::string::npos || cause.find("status code: 403") != std::string::npos)
    return make_error(errc::auth_failed, fmt::format("{} {}: authentication failed: {}", doing, url_.display, cause));
  if (rc == GIT_ECERTIFICATE)
    return make_error(errc::tls_failed, fmt::format("{} {}: certificate check failed: {}", doing, url_.display, cause));
  return make_error(errc::network, fmt::format("{} {} failed: {}", doing, url_.display, cause));
}

}  // namespace gitopsd::git
