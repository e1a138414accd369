#pragma once
// The render budgets as flags of `gitopsd run` and `gitopsd build`, named as the errors name them
// ("limit max-render-objects"); defaults and meaning in docs/rendering.md.

#include "gitopsd/render/render.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstddef>

namespace gitopsd {

// Holds what CLI11 parses into until apply() copies it to the options.
class render_budget_flags {
 public:
  void add_to(CLI::App* command) {
    size_flag(command, "--max-yaml-file-bytes", values_.yaml.max_file_bytes, "Bytes of one manifest, kustomization or patch file");
    size_flag(command, "--max-yaml-documents", values_.yaml.max_documents, "Documents of one file, empty ones included");
    size_flag(command, "--max-yaml-depth", values_.yaml.max_depth, "Nesting of maps and lists in one file");
    size_flag(command, "--max-yaml-values", values_.yaml.max_nodes, "Values of one file with aliases expanded");
    size_flag(command, "--max-yaml-text-bytes", values_.yaml.max_bytes, "Bytes of keys and strings of one file with aliases expanded");
    size_flag(command, "--max-render-objects", values_.build.max_objects, "Objects read during one render, bases counted each time they are included");
    size_flag(command, "--max-render-bytes", values_.build.max_bytes, "JSON bytes of the objects read during one render");
    size_flag(command, "--max-kustomize-builds", values_.build.max_kustomizations, "Kustomizations built during one render");
    size_flag(command, "--max-folder-depth", values_.build.max_folder_depth, "Folders below the rendered path");
    seconds_ = static_cast<std::size_t>(std::chrono::duration_cast<std::chrono::seconds>(values_.build.max_time).count());
    command->add_option("--max-render-seconds", seconds_, "Wall time of one render")->capture_default_str()->check(CLI::Range(1, 86400));
  }

  render::options apply() const {
    render::options o = values_;
    o.build.max_time = std::chrono::seconds(seconds_);
    return o;
  }

 private:
  static void size_flag(CLI::App* command, const char* name, std::size_t& value, const char* help) {
    command->add_option(name, value, help)->capture_default_str()->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40));
  }

  render::options values_;
  std::size_t seconds_ = 60;
};

}  // namespace gitopsd
