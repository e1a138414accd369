#pragma once
// The `sops` entry of an encrypted file: how its data key is wrapped (age, OpenPGP, or key
// services gitopsd does not call) and which values are encrypted.

#include "sops_tree.hpp"

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

struct wrapped_key {
  std::string id;   // the age recipient or the OpenPGP fingerprint
  std::string enc;  // the armored age file or OpenPGP message holding the data key
};

struct sops_metadata {
  std::vector<wrapped_key> age;
  std::vector<wrapped_key> openpgp;
  std::vector<std::string> other_services;  // "kms", "gcp_kms", ... present in the file
  std::string last_modified;                // as SOPS binds the MAC to it (RFC 3339, whole seconds)
  std::string mac;
  encryption_rules rules;
};

// From the nested form (YAML, JSON and binary files).
result<sops_metadata> read_metadata(const rapidjson::Value& sops);

// From dotenv's flattened keys ("sops_age__list_0__map_enc=..."), the "sops_" prefix removed.
result<sops_metadata> read_flat_metadata(const std::vector<std::pair<std::string, std::string>>& entries);

// RFC 3339 as Go's time.Format writes it back: fractional seconds dropped, a zero offset as "Z".
std::string normalize_rfc3339(std::string_view text);

}  // namespace gitopsd::decrypt
