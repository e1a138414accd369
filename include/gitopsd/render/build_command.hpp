#pragma once
// `gitopsd build`: render a folder and print the objects. Kept apart from main() so the Git source
// (`--url`, ref flags) can render a snapshot's tree the same way.

#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/render/render_source.hpp"

#include <filesystem>
#include <iosfwd>
#include <utility>
#include <string>
#include <string_view>

namespace gitopsd::render {

enum class output_format { yaml, json };

// The tree to read a folder on disk from: the nearest enclosing folder holding `.git` (else the
// file system root), and the folder's path inside it.
std::pair<std::filesystem::path, std::string> build_root(const std::filesystem::path& dir);

// Renders `path` of `tree` (ignore patterns and substitution as a reconcile applies them) and
// writes the objects to `out`; on failure writes the error to `err`. Returns the process exit code.
int run_build(const file_tree& tree, std::string_view path, output_format format, std::ostream& out, std::ostream& err,
              const options& opts = {}, const source_options& source = {});

}  // namespace gitopsd::render
