#pragma once
// The flags of `gitopsd build` and `diff` that stand in for a GitRepository's spec.postBuild and
// spec.ignore: --substitute, --substitute-from-file, --substitute-strict and --ignore.

#include "gitopsd/cli/substitute_flags.hpp"
#include "gitopsd/render/render_source.hpp"

#include <CLI/CLI.hpp>

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
    return out;
  }

 private:
  std::vector<std::string> pairs_, files_, ignore_lines_;
  bool strict_ = false;
};

}  // namespace gitopsd
