#pragma once
// A file tree whose SOPS-encrypted files read as their plaintext, so kustomize resources and
// generator inputs are decrypted after the render reads them and before objects are built. Without
// keys (no spec.decryption) an encrypted file is an error: ciphertext is never applied.

#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/decrypt/keyring.hpp"
#include "gitopsd/decrypt/sops.hpp"

#include <memory>
#include <mutex>

namespace gitopsd::decrypt {

class decrypting_tree final : public file_tree {
 public:
  // `keys` null: decryption is not configured. `inner` and `keys` must outlive the tree.
  decrypting_tree(const file_tree& inner, const keyring* keys, const render::limits& yaml);

  [[nodiscard]] result<std::vector<tree_entry>> list(std::string_view dir) const override { return inner_.list(dir); }
  [[nodiscard]] result<std::string> read(std::string_view file) const override;
  [[nodiscard]] result<tree_entry::kind> stat(std::string_view path) const override { return inner_.stat(path); }
  [[nodiscard]] result<std::string> real_path(std::string_view path) const override { return inner_.real_path(path); }

  // The code of the first file that failed to decrypt, or an empty code: a render error caused by
  // decryption is reported as such even after the build wrapped it in its own.
  [[nodiscard]] boost::system::error_code failure() const;

 private:
  const file_tree& inner_;
  bool have_keys_;
  std::unique_ptr<sops_decryptor> decryptor_;
  mutable std::mutex mutex_;
  mutable boost::system::error_code failure_;
};

}  // namespace gitopsd::decrypt
