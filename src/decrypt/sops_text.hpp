#pragma once
// A decrypted YAML file written back as its own text: each encrypted value replaced by its
// plaintext and the top-level `sops` entries removed, so layout, comments and scalar styles stay
// and the file reads exactly as its plain version would (kustomize or kubectl rules alike).

#include "sops_tree.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::decrypt {

// The text with `opened` values put in and `sops_entries` top-level `sops:` blocks removed, or
// nothing when the text does not allow it (a value not found, a block not in the expected form).
std::optional<std::string> substitute_plaintext(std::string_view text, const std::vector<opened_value>& opened,
                                                std::size_t sops_entries);

}  // namespace gitopsd::decrypt
