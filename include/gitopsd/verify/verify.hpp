#pragma once
// Signature verification of the commit (and annotated tag) a revision names, against the public
// keys of a Secret: data keys ending ".asc" hold armored OpenPGP public keys, data keys ending
// ".pub" hold SSH public keys in authorized_keys form. Other data keys are ignored.

#include "gitopsd/core/error.hpp"
#include "gitopsd/verify/openpgp.hpp"
#include "gitopsd/verify/signed_object.hpp"
#include "gitopsd/verify/ssh.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::verify {

// HEAD: the commit applied. Tag: the annotated tag that ref.tag / ref.semver selected.
enum class mode { head, tag, tag_and_head };

// "HEAD", "Tag", "TagAndHEAD" (as the CRD spells them).
std::optional<mode> parse_mode(std::string_view text);
const char* to_string(mode m);

struct key_set {
  std::vector<ssh_public_key> ssh;
  std::vector<openpgp_key> openpgp;
  [[nodiscard]] bool empty() const { return ssh.empty() && openpgp.empty(); }
};

// Reads the keys of a Secret's decoded data (or of files named like them); `source` names it in
// errors. A set without any key, an unreadable .pub key, or a private key is an error.
result<key_set> parse_key_set(const std::map<std::string, std::string>& data, std::string_view source);

// Verifies one object; returns the key that signed it ("SSH SHA256:..." or "OpenPGP <fingerprint>").
result<std::string> verify_object(const signed_object& object, const key_set& keys);

// Verifies what `m` asks for; returns who signed, for status and Events
// ("commit 1a2b3c4 by SSH SHA256:...", both parts joined by "; " for TagAndHEAD).
result<std::string> verify_revision(mode m, const revision_objects& objects, const key_set& keys);

}  // namespace gitopsd::verify
