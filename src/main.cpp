// The gitopsd command line: one subcommand per job. The work itself lives in gitopsd_core.

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/core/version.hpp"
#include "gitopsd/render/build_command.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"gitopsd: keeps a Kubernetes cluster equal to what a Git repository declares"};
  app.require_subcommand(1);

  std::string log_format = "json";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "Log format: json or text")->check(CLI::IsMember({"json", "text"}));
  app.add_option("--log-level", log_level, "Lowest level logged: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  auto* version = app.add_subcommand("version", "Print the version, the commit and the library versions");
  version->callback([] { std::cout << gitopsd::version_report(); });

  std::string build_dir;
  std::string build_output = "yaml";
  int exit_code = 0;
  auto* build = app.add_subcommand("build", "Render a folder (plain manifests or a kustomization) and print the objects");
  build->add_option("DIR", build_dir, "Folder to render")->required();
  build->add_option("-o,--output", build_output, "Output format: yaml or json")->check(CLI::IsMember({"yaml", "json"}));
  build->callback([&] {
    // Kustomizations may reach up to sibling folders ("../base"): the tree is the enclosing Git work
    // tree (or the file system), and DIR a path inside it.
    auto [root, path] = gitopsd::render::build_root(build_dir);
    gitopsd::disk_tree tree(root);
    exit_code = gitopsd::render::run_build(
        tree, path, build_output == "json" ? gitopsd::render::output_format::json : gitopsd::render::output_format::yaml,
        std::cout, std::cerr);
  });

  app.parse_complete_callback([&] {
    gitopsd::log::configure(*gitopsd::log::parse_format(log_format), *gitopsd::log::parse_level(log_level));
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return exit_code;
}
