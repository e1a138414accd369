#pragma once
// What a reconcile and `gitopsd build` render: the tree as Flux's source-controller would archive
// it (ignore patterns), SOPS files decrypted, built, then with postBuild variables substituted.

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/decrypt/keyring.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/render/substitute.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render {

struct source_options {
  // spec.ignore: extra gitignore lines for the whole tree; set, with any `.sourceignore` file,
  // they replace Flux's default exclusions (VCS files stay excluded).
  std::optional<std::string> ignore;
  // Where `.sourceignore` files are looked for: the tree's root, or one folder of it.
  std::string ignore_root;
  // postBuild substitution; nothing is substituted without variables.
  substitution post_build;
  // spec.decryption's keys: SOPS-encrypted files read as their plaintext. Without keys such a file
  // is an error, so ciphertext is never applied.
  std::shared_ptr<const decrypt::keyring> decryption;
};

result<std::vector<manifest>> render_source(const file_tree& tree, std::string_view path, const source_options& source,
                                            const options& opts = {});

}  // namespace gitopsd::render
