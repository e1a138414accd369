#pragma once
// Unwraps SOPS data keys with a keyring: age identities in process, OpenPGP keys through GPGME in
// one temporary GNUPGHOME per source (made on first use, its agent stopped and the folder removed
// when the source goes), so a render with many files imports the keys once.

#include "sops_metadata.hpp"
#include "sops_value.hpp"

#include "gitopsd/core/error.hpp"
#include "gitopsd/decrypt/keyring.hpp"

#include <map>
#include <memory>
#include <string>

namespace gitopsd::decrypt {

class data_key_source {
 public:
  explicit data_key_source(const keyring& keys);
  ~data_key_source();
  data_key_source(const data_key_source&) = delete;
  data_key_source& operator=(const data_key_source&) = delete;

  // The file's data key from the first of its wrapped keys one of ours opens; an error listing the
  // file's recipients and fingerprints (public) when none does.
  result<data_key> unwrap(const sops_metadata& md);

 private:
  struct openpgp_session;
  result<std::string> open_openpgp(const std::string& message);

  const keyring& keys_;
  std::unique_ptr<openpgp_session> openpgp_;
};

}  // namespace gitopsd::decrypt
