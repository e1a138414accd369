#include "gitopsd/git/errc.hpp"

namespace gitopsd::git {

const char* describe(errc e) {
  switch (e) {
    case errc::invalid_url: return "invalid Git URL";
    case errc::url_not_allowed: return "Git URL scheme not allowed";
    case errc::invalid_ref: return "invalid Git reference";
    case errc::invalid_semver: return "invalid semver range";
    case errc::ref_not_found: return "Git reference not found";
    case errc::auth_failed: return "Git authentication failed";
    case errc::host_key_unknown: return "SSH host key unknown";
    case errc::host_key_mismatch: return "SSH host key mismatch";
    case errc::tls_failed: return "TLS certificate verification failed";
    case errc::network: return "Git network error";
    case errc::timeout: return "Git operation timed out";
    case errc::cancelled: return "Git operation cancelled";
    case errc::path_not_found: return "path not found in the Git tree";
    case errc::path_escape: return "path leaves the tree";
    case errc::too_large: return "Git tree exceeds the size limits";
    case errc::not_a_directory: return "not a directory";
    case errc::cache: return "Git cache error";
    case errc::internal: return "Git internal error";
  }
  return "unknown Git error";
}

}  // namespace gitopsd::git
