#pragma once
// The private keys one GitRepository decrypts with: the `spec.decryption.secretRef` Secret's
// entries (`*.agekey`: age identities, `*.asc`: OpenPGP secret keys), or `gitopsd build
// --decrypt-keys` files.

#include "gitopsd/core/error.hpp"
#include "gitopsd/decrypt/age.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

struct openpgp_secret_key {
  std::string name;     // the entry or file it came from, for messages
  std::string armored;  // "-----BEGIN PGP PRIVATE KEY BLOCK-----" ...
};

struct keyring {
  std::vector<age_identity> age;
  std::vector<openpgp_secret_key> openpgp;
  [[nodiscard]] bool empty() const { return age.empty() && openpgp.empty(); }
};

// Adds one named entry: by its name's ending (.agekey, .asc); other names are an error naming it.
result<void> add_key(keyring& keys, std::string_view name, std::string_view content);

// The keys of a Secret's decoded data: entries with other names are skipped (as Flux does); an
// error when none is a key or one does not read. `what` names the Secret.
result<keyring> keyring_from_entries(const std::map<std::string, std::string>& data, std::string_view what);

}  // namespace gitopsd::decrypt
