#pragma once
// The flags of `gitopsd build` and `diff` that stand in for a GitRepository's spec.postBuild and
// spec.ignore and spec.decryption: --substitute, --substitute-from-file, --substitute-strict,
// --ignore and --decrypt-keys.

#include "gitopsd/cli/substitute_flags.hpp"
#include "gitopsd/decrypt/errc.hpp"
#include "gitopsd/decrypt/keyring.hpp"
#include "gitopsd/render/render_source.hpp"

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

namespace gitopsd {

// Holds what CLI11 parses into until apply() turns it into render options.
class source_option_flags {
 public:
  void add_to(CLI::App* command) {
    command->add_option("--substitute", pairs_, "Variable for postBuild substitution, KEY=VALUE (repeatable; wins over files)");
    command->add_option("--substitute-from-file", files_,
                        "File of variables: a YAML/JSON map (.yaml, .yml, .json) or KEY=VALUE lines (repeatable; later wins)");
    command->add_flag("--substitute-strict", strict_, "An undefined variable without a default is an error");
    command->add_option("--ignore", ignore_lines_, "Ignore pattern (gitignore syntax) as in spec.ignore (repeatable, one line each)");
    command->add_option("--decrypt-keys", key_files_,
                        "Private key file for SOPS-encrypted files, as in spec.decryption: FILE.agekey (age identities) "
                        "or FILE.asc (OpenPGP secret key) (repeatable)");
  }

  // Errors name the flag or file at fault (a file of variables that cannot be read or parsed).
  [[nodiscard]] result<render::source_options> apply() const {
    render::source_options out;
    auto vars = cli::substitution_from_flags(pairs_, files_, strict_);
    if (!vars) return vars.error();
    out.post_build = std::move(*vars);
    if (!ignore_lines_.empty()) {
      std::string joined;
      for (const auto& line : ignore_lines_) joined += line + "\n";
      out.ignore = std::move(joined);
    }
    if (!key_files_.empty()) {
      decrypt::keyring keys;
      for (const auto& file : key_files_) {
        std::ifstream in(file, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in && !in.eof()) return make_error(decrypt::errc::invalid_identity, fmt::format("--decrypt-keys {}: cannot be read", file));
        auto added = decrypt::add_key(keys, file, text);
        if (!added) return added.error().wrap("--decrypt-keys");
      }
      out.decryption = std::make_shared<const decrypt::keyring>(std::move(keys));
    }
    return out;
  }

 private:
  std::vector<std::string> pairs_, files_, ignore_lines_, key_files_;
  bool strict_ = false;
};

}  // namespace gitopsd
