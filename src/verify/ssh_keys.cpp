// authorized_keys parsing and fingerprints.
#include "gitopsd/core/base64.hpp"
#include "gitopsd/verify/errc.hpp"
#include "gitopsd/verify/ssh.hpp"
#include "ssh_wire.hpp"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <array>

namespace gitopsd::verify {
namespace {

constexpr std::array<std::string_view, 5> supported_types = {
    "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-rsa"};

bool is_key_type(std::string_view word) {
  if (word.starts_with("sk-") || word.find("-cert-v01@openssh.com") != std::string_view::npos) return true;
  for (auto t : supported_types)
    if (word == t) return true;
  return false;
}

// Splits on blanks; quoted option values ("command=\"a b\"") stay one word.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t start = i;
    bool quoted = false;
    while (i < line.size() && (quoted || (line[i] != ' ' && line[i] != '\t'))) {
      if (line[i] == '"') quoted = !quoted;
      ++i;
    }
    out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::string ssh_fingerprint(std::string_view blob) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(), digest);
  std::string b64 = base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

result<std::vector<ssh_public_key>> parse_authorized_keys(std::string_view text, std::string_view source) {
  std::vector<ssh_public_key> out;
  std::size_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    auto line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto w = words(line);
    if (w.empty() || w[0].starts_with("#")) continue;
    auto fail = [&](std::string_view why) {
      return make_error(errc::invalid_keys, fmt::format("{} line {}: {}", source, line_no, why));
    };
    if (!is_key_type(w[0])) {
      // Options are not implemented; ignoring them would trust more than written (a
      // cert-authority key as a signer, a restricted key without its restriction).
      if (w.size() > 1 && is_key_type(w[1]))
        return fail("authorized_keys options before the key are not supported; list the key without them");
      return fail("no SSH public key type found");
    }
    std::string_view type = w[0];
    if (type.starts_with("sk-") || type.find("-cert-") != std::string_view::npos)
      return fail(fmt::format("key type {} is not supported", type));
    if (w.size() < 2) return fail("the key's base64 field is missing");
    auto blob = base64_decode(w[1]);
    if (!blob) return fail("the key's base64 field does not decode");
    wire::reader r(*blob);
    auto inner = r.string();
    if (!inner || *inner != type) return fail(fmt::format("the key data is not a {} key", type));
    out.push_back({std::string(type), std::move(*blob), ""});
    out.back().fingerprint = ssh_fingerprint(out.back().blob);
  }
  return out;
}

}  // namespace gitopsd::verify
