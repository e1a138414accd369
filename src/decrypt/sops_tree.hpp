#pragma once
// Decrypting a SOPS tree (the file's documents without their `sops` entry) in place and computing
// its MAC as SOPS does: SHA-512 over every value's bytes in document order (only the encrypted
// ones with mac_only_encrypted), upper-case hex.

#include "sops_value.hpp"

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

// Which values SOPS encrypted: at most one rule is set (SOPS refuses files with more); with none,
// everything is encrypted except keys ending in "_unencrypted".
struct encryption_rules {
  std::string unencrypted_suffix;
  std::string encrypted_suffix;
  std::string unencrypted_regex;
  std::string encrypted_regex;
  bool mac_only_encrypted = false;
};

class value_selector {
 public:
  static result<value_selector> make(const encryption_rules& rules);
  // Whether the value at this key path (mapping keys only, outermost first) is encrypted.
  [[nodiscard]] bool encrypted(const std::vector<std::string>& path) const;
  [[nodiscard]] bool mac_only_encrypted() const { return rules_.mac_only_encrypted; }

 private:
  struct compiled;
  encryption_rules rules_;
  std::shared_ptr<const compiled> regex_;
};

// The bytes SOPS hashes for a plain value: strings as they are, integers in decimal, floats in the
// shortest fixed notation, booleans as True/False. Nothing for null.
std::string mac_bytes(const rapidjson::Value& value);

// One decrypted value: its encrypted text as it stands in the file (unique: the IV is random) and
// the plaintext written as a YAML scalar of its type.
struct opened_value {
  std::string sealed;
  std::string yaml;
};

// Decrypts every selected value of `documents` in place (typed per the value's `type:`) and returns
// the tree's MAC; each decrypted value is added to `opened` when given. Errors name the key path,
// never a value.
result<std::string> decrypt_tree(std::vector<rapidjson::Document*>& documents, const value_selector& select,
                                 const data_key& key, std::vector<opened_value>* opened = nullptr);

// The stored MAC, decrypted with lastmodified as additional data, compared with the computed one.
result<void> check_mac(std::string_view stored_mac, std::string_view last_modified, std::string_view computed,
                       const data_key& key);

}  // namespace gitopsd::decrypt
