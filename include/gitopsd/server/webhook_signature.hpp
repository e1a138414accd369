#pragma once
// Who may trigger a GitRepository through a push webhook: the signature (or token) a Git host
// sends, checked against the token of the GitRepository's Secret. Pure functions over the header
// values and the exact body bytes received; every comparison takes the same time whatever matches.
//
// Formats, by header (the first one present decides; a bad one is not rescued by another):
//   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(token, body)>   GitHub, and the generic form
//   X-Forgejo-Signature: <hex HMAC-SHA256(token, body)>          Forgejo
//   X-Gitea-Signature:   <hex HMAC-SHA256(token, body)>          Gitea
//   X-Hub-Signature:     sha256=<hex HMAC-SHA256(token, body)>   Bitbucket Server / Data Center
//   X-Gitlab-Token:      <token>                                  GitLab

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::server {

enum class webhook_provider { none, github, forgejo, gitea, bitbucket_server, gitlab };
const char* to_string(webhook_provider p);

// The header values that carry a signature or token; absent headers stay empty.
struct signature_headers {
  std::optional<std::string_view> hub_signature_256;
  std::optional<std::string_view> forgejo_signature;
  std::optional<std::string_view> gitea_signature;
  std::optional<std::string_view> hub_signature;
  std::optional<std::string_view> gitlab_token;
};

struct signature_check {
  webhook_provider provider = webhook_provider::none;  // none: no signature header at all
  bool valid = false;
};

// Checks the signature of `body` against `token`. The HMAC is computed in every case (also with
// no header), so a caller that passes a dummy token for an unknown target does the same work.
signature_check verify_signature(const signature_headers& headers, std::string_view body, std::string_view token);

// HMAC-SHA256 of `body` keyed with `token`, as lowercase hex (what `openssl dgst -sha256 -hmac` prints).
std::string hmac_sha256_hex(std::string_view token, std::string_view body);

// Equal in time independent of where the inputs differ (and, through SHA-256, of their lengths).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace gitopsd::server
