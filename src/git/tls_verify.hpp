#pragma once
// Verifies a server certificate against the CA given in a Secret's `ca.crt`. libgit2 1.5 has no
// per-remote CA setting (GIT_OPT_SET_SSL_CERT_LOCATIONS is process-wide), so the certificate_check
// callback, which receives the server's leaf certificate, checks it here with OpenSSL: signature
// chain to the given CA (intermediates must be in ca.crt), validity dates, and the host name.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::git {

// Nothing when the certificate is trusted for `host`, else the reason.
std::optional<std::string> verify_with_ca(std::string_view leaf_der, std::string_view ca_pem, std::string_view host);

}  // namespace gitopsd::git
