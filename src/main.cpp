// The gitopsd command line: one subcommand per job. The work itself lives in gitopsd_core.

#include "gitopsd/core/log.hpp"
#include "gitopsd/core/version.hpp"

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

  app.parse_complete_callback([&] {
    gitopsd::log::configure(*gitopsd::log::parse_format(log_format), *gitopsd::log::parse_level(log_level));
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
