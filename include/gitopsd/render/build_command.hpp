#pragma once
// `gitopsd build`: render a folder and print the objects. Kept apart from main() so the Git source
// (`--url`, ref flags) can render a snapshot's tree the same way.

#include "gitopsd/core/file_tree.hpp"
#include "gitopsd/render/render.hpp"
#include "gitopsd/render/render_source.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <utility>
#include <string_view>

namespace gitopsd::render {

enum class output_format { yaml, json };

// The tree to read a folder on disk from: the nearest enclosing folder holding `.git` (else the
// file system root; the folder's parent when the folder itself holds `.git`), and the folder's
// path inside it.
std::pair<std::filesystem::path, std::string> build_root(const std::filesystem::path& dir);

// An error message naming tree paths, with `tree_dir` and the paths below it written as the user
// named that folder (`user_dir`), and paths elsewhere below its parents written in full (`root`,
// the tree's folder on disk, in front).
std::string show_paths(std::string_view message, std::string_view tree_dir, std::string_view user_dir,
                       std::string_view root);

// Renders a folder (or one file) on disk as `gitopsd build DIR` does: kustomizations may reach
// sibling folders of the enclosing Git work tree; error messages show paths as `dir` names them.
result<std::vector<manifest>> render_folder(const std::string& dir, const options& opts, source_options source);

// Renders `path` of `tree` (ignore patterns and substitution as a reconcile applies them) and writes the objects to `out`; on failure writes the error to `err`,
// paths shown from `shown_as` (the folder as the user named it) when given. Returns the process
// exit code.
int run_build(const file_tree& tree, std::string_view path, output_format format, std::ostream& out, std::ostream& err,
              const options& opts = {}, const source_options& source = {}, std::string_view shown_as = {}, std::string_view root = {});

}  // namespace gitopsd::render
