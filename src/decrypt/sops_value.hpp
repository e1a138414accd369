#pragma once
// One SOPS value: "ENC[AES256_GCM,data:B64,iv:B64,tag:B64,type:T]", AES-256-GCM under the file's
// data key with the value's key path ("a:b:c:") as additional data.

#include "gitopsd/core/error.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::decrypt {

using data_key = std::array<unsigned char, 32>;

struct sealed_value {
  std::string data;  // ciphertext, decoded
  std::string iv;
  std::string tag;
  std::string type;  // str, int, float, bool, bytes, time, comment
};

// The parts of an encrypted value, or nothing when the text is not in that form.
std::optional<sealed_value> parse_sealed(std::string_view text);

// The plaintext bytes; an error when the tag does not authenticate (wrong key, path or content).
result<std::string> open_sealed(const sealed_value& value, const data_key& key, std::string_view additional_data);

}  // namespace gitopsd::decrypt
