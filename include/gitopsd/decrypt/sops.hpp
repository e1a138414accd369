#pragma once
// Files encrypted with SOPS, decrypted as `sops -d` would: YAML, JSON, dotenv and binary files.
// The data key is unwrapped with age identities or OpenPGP secret keys, every value is decrypted
// and the file's MAC checked; errors name the file and key paths, never a value.

#include "gitopsd/core/error.hpp"
#include "gitopsd/decrypt/keyring.hpp"
#include "gitopsd/render/yaml.hpp"

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

enum class sops_format { yaml, json, dotenv, ini, binary };
sops_format format_for_path(std::string_view path);

// Whether the text may be a SOPS file (an encrypted value and the word sops): a cheap test before
// a file is parsed; decrypt_file decides for certain.
bool has_sops_marks(std::string_view text);

class data_key_source;
struct sops_metadata;
struct opened_value;

// Decrypts files with one keyring; reuses what it set up (an OpenPGP keyring) across files.
class sops_decryptor {
 public:
  // `yaml` bounds the parsing of each file.
  sops_decryptor(const keyring& keys, render::limits yaml);
  ~sops_decryptor();
  sops_decryptor(const sops_decryptor&) = delete;
  sops_decryptor& operator=(const sops_decryptor&) = delete;

  // The plaintext file, or nothing when the text is not a SOPS-encrypted file. A file is one by
  // its content, whatever its name: a `sops` entry in a YAML or JSON document, or `sops_` lines in
  // dotenv. The name chooses how the plaintext is written (JSON for .json, the binary format's
  // bytes for a file of one `data` value not named .yaml/.yml/.json, else YAML).
  result<std::optional<std::string>> decrypt_file(std::string_view text, std::string_view path);

 private:
  result<void> decrypt_group(const sops_metadata& md, std::vector<rapidjson::Document*>& docs,
                             std::vector<opened_value>* opened);
  result<std::optional<std::string>> decrypt_dotenv(std::string_view text);

  render::limits yaml_;
  std::unique_ptr<data_key_source> keys_;
};

}  // namespace gitopsd::decrypt
