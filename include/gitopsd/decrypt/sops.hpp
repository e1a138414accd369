#pragma once
// Files encrypted with SOPS, decrypted as `sops -d` would: YAML, JSON, dotenv and binary files,
// the format chosen by the file name as SOPS and Flux choose it (.yaml/.yml, .json, .env, anything
// else binary). The data key is unwrapped with age identities or OpenPGP secret keys, every value
// is decrypted and the file's MAC checked; errors name the file and key paths, never a value.

#include "gitopsd/core/error.hpp"
#include "gitopsd/decrypt/keyring.hpp"
#include "gitopsd/render/yaml.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::decrypt {

enum class sops_format { yaml, json, dotenv, ini, binary };
sops_format format_for_path(std::string_view path);

// Whether the text carries SOPS's marks for its format (its MAC entry and an encrypted value):
// a cheap test before a file is parsed; decrypt_file decides for certain.
bool has_sops_marks(std::string_view text, sops_format format);

class data_key_source;

// Decrypts files with one keyring; reuses what it set up (an OpenPGP keyring) across files.
class sops_decryptor {
 public:
  // `yaml` bounds the parsing of each file.
  sops_decryptor(const keyring& keys, render::limits yaml);
  ~sops_decryptor();
  sops_decryptor(const sops_decryptor&) = delete;
  sops_decryptor& operator=(const sops_decryptor&) = delete;

  // The plaintext file, or nothing when the text is not a SOPS-encrypted file.
  result<std::optional<std::string>> decrypt_file(std::string_view text, std::string_view path);

 private:
  render::limits yaml_;
  std::unique_ptr<data_key_source> keys_;
};

}  // namespace gitopsd::decrypt
