#pragma once
// OpenSSH known_hosts data (as in a Secret's `known_hosts`) and the host key check for SSH remotes.
// Supports plain and hashed (|1|salt|hash) host patterns, [host]:port, wildcards, negation and
// @revoked; @cert-authority lines are ignored (certificates are not supported).

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::git {

struct known_host {
  std::vector<std::string> patterns;  // "github.com", "[10.0.0.1]:2222", "|1|salt|hash", "!bad.example"
  std::string key_type;               // "ssh-ed25519"
  std::string key;                    // the decoded key blob (SSH wire format)
  bool revoked = false;
};

// Lines that cannot be parsed are skipped (as ssh does).
std::vector<known_host> parse_known_hosts(std::string_view text);

enum class host_key_verdict { match, unknown, mismatch, revoked };

// `key` is the server's raw key blob; its type is read from the blob itself.
host_key_verdict check_host_key(const std::vector<known_host>& hosts, std::string_view host, int port,
                                std::string_view key);

// The key type named at the start of an SSH key blob ("ssh-ed25519"), or "" when malformed.
std::string key_blob_type(std::string_view blob);

// SHA256:<base64> fingerprint, as ssh prints it.
std::string fingerprint_sha256(std::string_view blob);

}  // namespace gitopsd::git
