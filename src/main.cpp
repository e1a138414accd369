// The gitopsd command line: one subcommand per job. The work itself lives in gitopsd_core.

#include "gitopsd/controller/agent.hpp"
#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/duration.hpp"
#include "gitopsd/cli/build_from_git.hpp"
#include "gitopsd/cli/diff_command.hpp"
#include "gitopsd/cli/get_command.hpp"
#include "gitopsd/cli/reconcile_command.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/cli/trace_command.hpp"
#include "gitopsd/cli/tree_command.hpp"
#include "gitopsd/git/source.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/core/version.hpp"
#include "gitopsd/render/build_command.hpp"
#include "kube_cli_flags.hpp"
#include "git_budget_flags.hpp"
#include "render_budget_flags.hpp"
#include "source_option_flags.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <optional>

namespace {

// A Go-style duration ("30s", "1m") of whole seconds, at least one.
std::optional<std::chrono::seconds> whole_seconds(const std::string& text) {
  auto d = gitopsd::parse_duration(text);
  if (!d || *d < std::chrono::seconds(1) || *d % std::chrono::seconds(1) != gitopsd::duration::zero()) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(*d);
}

CLI::Validator seconds_validator() {
  return CLI::Validator(
      [](std::string& text) { return whole_seconds(text) ? std::string() : "expected whole seconds such as 30s or 1m, got " + text; },
      "DURATION");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gitopsd: keeps a Kubernetes cluster equal to what a Git repository declares"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags such as --log-level may follow the subcommand

  std::string log_format = "json";
  std::string log_level = "info";
  app.add_option("--log-format", log_format, "Log format: json or text")->check(CLI::IsMember({"json", "text"}));
  app.add_option("--log-level", log_level, "Lowest level logged: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

  auto* version = app.add_subcommand("version", "Print the version, the commit and the library versions");
  version->callback([] { std::cout << gitopsd::version_report(); });

  int exit_code = 0;
  gitopsd::controller::agent_options agent;
  auto* run = app.add_subcommand("run", "Run the agent: watch GitRepository objects and keep the cluster in sync");
  run->add_option("--kubeconfig", agent.kubeconfig, "Path to a kubeconfig; default $KUBECONFIG, in-cluster, ~/.kube/config");
  run->add_option("--http-addr", agent.http_addr, "Address of /healthz, /readyz and /metrics")->capture_default_str();
  run->add_option("--webhook-addr", agent.webhook_addr, "Address of the push webhook listener (POST /hook/<namespace>/<name>); default off");
  run->add_option("--cache-dir", agent.cache_dir, "Folder for the Git cache (may be lost at any time)")->capture_default_str();
  run->add_option("--watch-namespace", agent.watch_namespace, "Only watch GitRepository objects in this namespace");
  run->add_option("--watch-label-selector", agent.watch_label_selector, "Only watch GitRepository objects matching this selector");
  run->add_option("--concurrent", agent.concurrent, "GitRepository objects reconciled at once")
      ->capture_default_str()->check(CLI::Range(1, 1000));
  run->add_option("--requests-in-flight", agent.in_flight, "API requests one reconcile keeps in flight")
      ->capture_default_str()->check(CLI::Range(1, 1024));
  run->add_option("--kube-api-qps", agent.kube_api_qps, "Client-side limit of API requests per second; 0: none")
      ->capture_default_str()->check(CLI::Range(0.0, 1e6));
  run->add_option("--kube-api-burst", agent.kube_api_burst, "Requests allowed at once above --kube-api-qps")
      ->capture_default_str()->check(CLI::Range(1, 1000000));
  run->add_flag("--allow-file-urls", agent.allow_file_urls, "Allow file:// repository URLs (tests only: lets authors read local files)");
  run->add_flag("--leader-elect", agent.leader_elect, "Elect a leader on a Lease so only one replica works");
  run->add_option("--leader-election-namespace", agent.leader_election_namespace,
                  "Namespace of the Lease; default the namespace of the configuration");
  run->add_option("--default-service-account", agent.tenancy.default_service_account,
                  "ServiceAccount (of its own namespace) a GitRepository without serviceAccountName acts as; "
                  "default: the agent's own rights");
  run->add_flag("--no-cross-namespace-refs", agent.tenancy.no_cross_namespace_refs,
                "Refuse references to other namespaces (dependsOn) with Ready=False, reason AccessDenied");
  std::string run_load_restrictor = "LoadRestrictionsNone";
  run->add_option("--load-restrictor", run_load_restrictor,
                  "Files a kustomization may read: LoadRestrictionsNone (anywhere in the repository, as Flux builds) "
                  "or LoadRestrictionsRootOnly (its own folder and below)")
      ->capture_default_str()->check(CLI::IsMember({"LoadRestrictionsRootOnly", "LoadRestrictionsNone"}));
  std::string lease_duration = "15s", renew_deadline = "10s", retry_period = "2s", shutdown_grace = "30s";
  std::string drift_resync = "1h";
  run->add_option("--drift-resync", drift_resync,
                  "How often a GitRepository whose kinds are watched gets the full dry run of an unchanged commit "
                  "(a new commit applies at once, a watched change at once); 0: every interval")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& text) {
            return text == "0" || whole_seconds(text) ? std::string() : "expected 0 or whole seconds such as 1h, got " + text;
          },
          "DURATION"));
  run->add_option("--leader-election-lease-duration", lease_duration,
                  "How long a standby waits, by its own clock, for an unchanged Lease before taking it over")
      ->capture_default_str()->check(seconds_validator());
  run->add_option("--leader-election-renew-deadline", renew_deadline,
                  "The leader stops working when it could not renew the Lease for this long (below the lease duration)")
      ->capture_default_str()->check(seconds_validator());
  run->add_option("--leader-election-retry-period", retry_period, "Time between attempts to acquire or renew the Lease")
      ->capture_default_str()->check(seconds_validator());
  run->add_option("--shutdown-grace", shutdown_grace,
                  "On SIGTERM, how long running reconciles may take to finish before they are cancelled")
      ->capture_default_str()->check(seconds_validator());
  gitopsd::render_budget_flags run_budgets;
  run_budgets.add_to(run);
  gitopsd::add_git_budget_flags(run, agent.git_tree, agent.git_budget);
  run->callback([&] {
    agent.render = run_budgets.apply();
    if (run_load_restrictor == "LoadRestrictionsNone") agent.render.load = gitopsd::render::load_restrictor::none;
    agent.lease_duration = *whole_seconds(lease_duration);
    agent.renew_deadline = *whole_seconds(renew_deadline);
    agent.retry_period = *whole_seconds(retry_period);
    agent.shutdown_grace = *whole_seconds(shutdown_grace);
    agent.drift_resync = drift_resync == "0" ? std::chrono::seconds(0) : *whole_seconds(drift_resync);
    exit_code = gitopsd::controller::run_agent(agent);
  });

  std::string build_dir, build_output = "yaml", secret_file, cache_dir, load_restrictor = "LoadRestrictionsRootOnly";
  gitopsd::git::source_spec source;
  std::string branch, tag, semver, commit;
  auto* build = app.add_subcommand("build", "Render a folder, or a path of a Git commit, and print the objects");
  build->add_option("DIR", build_dir, "Local folder to render (plain manifests or a kustomization)");
  auto* url = build->add_option("--url", source.url, "Repository to fetch instead of a local folder");
  build->add_option("--branch", branch, "Branch to render")->needs(url);
  build->add_option("--tag", tag, "Tag to render")->needs(url)->excludes("--branch");
  build->add_option("--semver", semver, "Semver range; the highest matching tag is rendered")->needs(url)->excludes("--branch", "--tag");
  build->add_option("--commit", commit, "Full commit SHA to render")->needs(url)->excludes("--tag", "--semver");
  build->add_option("--path", source.path, "Folder inside the repository")->needs(url);
  build->add_option("--secret-file", secret_file, "Kubernetes Secret manifest with the Git credentials")->needs(url);
  build->add_option("--cache-dir", cache_dir, "Git cache folder (default: a temporary one)")->needs(url);
  build->add_option("-o,--output", build_output, "Output format: yaml or json")->check(CLI::IsMember({"yaml", "json"}));
  gitopsd::render_budget_flags build_budgets;
  build_budgets.add_to(build);
  gitopsd::add_git_budget_flags(build, source.limits, source.budget);
  build->add_option("--load-restrictor", load_restrictor,
                    "Files a kustomization may read, as kustomize's flag: LoadRestrictionsRootOnly (its own folder "
                    "and below, the default) or LoadRestrictionsNone (none also works)")
      ->check(CLI::IsMember({"LoadRestrictionsRootOnly", "LoadRestrictionsNone", "none"}));
  gitopsd::source_option_flags build_source_flags;
  build_source_flags.add_to(build);
  gitopsd::cli::verify_flags verify_flags;
  build->add_option("--verify-keys", verify_flags.key_files,
                    "Verify the commit's signature with these public keys: .asc files (OpenPGP) and .pub files (SSH, "
                    "authorized_keys form); a commit that does not verify is not rendered")
      ->needs(url);
  build->add_option("--verify-mode", verify_flags.mode, "What --verify-keys verifies: HEAD (the commit), Tag or TagAndHEAD")
      ->check(CLI::IsMember({"HEAD", "Tag", "TagAndHEAD"}))->needs("--verify-keys");
  build->callback([&] {
    auto format = build_output == "json" ? gitopsd::render::output_format::json : gitopsd::render::output_format::yaml;
    gitopsd::render::options render_opts = build_budgets.apply();
    if (load_restrictor == "LoadRestrictionsNone" || load_restrictor == "none")
      render_opts.load = gitopsd::render::load_restrictor::none;
    auto source_flags = build_source_flags.apply();
    if (!source_flags) {
      std::cerr << "error: " << source_flags.error().what() << "\n";
      exit_code = 2;
      return;
    }
    gitopsd::render::source_options source_opts = std::move(*source_flags);
    if (source.url.empty()) {
      if (build_dir.empty()) throw CLI::ValidationError("build", "give a DIR or --url");
      auto objects = gitopsd::render::render_folder(build_dir, render_opts, std::move(source_opts));
      if (!objects) {
        std::cerr << "error: " << objects.error().what() << "\n";
        exit_code = 1;
        return;
      }
      std::cout << (format == gitopsd::render::output_format::json ? gitopsd::render::to_json_list(*objects)
                                                                     : gitopsd::render::to_yaml_stream(*objects));
      return;
    }
    if (!build_dir.empty()) throw CLI::ValidationError("build", "give either DIR or --url, not both");
    exit_code = gitopsd::cli::run_build_from_git(source, branch, tag, semver, commit, secret_file, cache_dir, format,
                                                  render_opts, source_opts, verify_flags);
  });

  // The everyday commands: read and steer GitRepository objects through the API server.
  gitopsd::cli::kube_flags kube_flags;
  gitopsd::cli::get_options get_opts;
  auto* get = app.add_subcommand("get", "List GitRepository objects with their revision and readiness");
  get->add_option("NAME", get_opts.name, "One GitRepository; default all in the namespace");
  get->add_flag("-w,--watch", get_opts.watch, "Keep watching and print a row whenever one changes");
  gitopsd::add_kube_flags(get, kube_flags, true);
  get->callback([&] { exit_code = gitopsd::cli::run_get(kube_flags, get_opts); });

  gitopsd::cli::reconcile_options reconcile_opts;
  std::string reconcile_timeout = "5m";
  auto add_follow_flags = [&](CLI::App* command) {
    command->add_option("NAME", reconcile_opts.name, "The GitRepository")->required();
    command->add_flag("--wait", reconcile_opts.wait, "Follow the object until the request is handled; exit code follows Ready");
    command->add_option("--timeout", reconcile_timeout, "How long --wait waits")->capture_default_str()->check(seconds_validator());
    gitopsd::add_kube_flags(command, kube_flags, false);
  };
  auto* reconcile = app.add_subcommand("reconcile", "Ask the agent to reconcile a GitRepository now (gitopsd.io/requestedAt)");
  add_follow_flags(reconcile);
  reconcile->callback([&] {
    reconcile_opts.timeout = *whole_seconds(reconcile_timeout);
    exit_code = gitopsd::cli::run_reconcile(kube_flags, reconcile_opts);
  });
  auto* resume = app.add_subcommand("resume", "Resume a suspended GitRepository and reconcile it at once");
  add_follow_flags(resume);
  resume->callback([&] {
    reconcile_opts.timeout = *whole_seconds(reconcile_timeout);
    exit_code = gitopsd::cli::run_resume(kube_flags, reconcile_opts);
  });

  std::string object_name;
  auto* suspend = app.add_subcommand("suspend", "Stop reconciling a GitRepository (spec.suspend) until it is resumed");
  suspend->add_option("NAME", object_name, "The GitRepository")->required();
  gitopsd::add_kube_flags(suspend, kube_flags, false);
  suspend->callback([&] { exit_code = gitopsd::cli::run_suspend(kube_flags, object_name); });

  auto* tree = app.add_subcommand("tree", "Show a GitRepository's objects (its inventory) as a tree with their health");
  tree->add_option("NAME", object_name, "The GitRepository")->required();
  gitopsd::add_kube_flags(tree, kube_flags, false);
  tree->callback([&] { exit_code = gitopsd::cli::run_tree(kube_flags, object_name); });

  // diff: what the agent would change, for a folder or a commit, before it is merged.
  gitopsd::cli::diff_options diff_opts;
  std::string diff_load_restrictor = "LoadRestrictionsNone";
  gitopsd::source_option_flags diff_source_flags;
  auto* diff = app.add_subcommand(
      "diff", "Show what applying a folder or a commit would change in the cluster (server-side dry run); "
              "exit 0: no difference, 1: differences, 2: error");
  diff->add_option("DIR", diff_opts.dir, "Local folder to render (plain manifests or a kustomization)");
  auto* diff_url = diff->add_option("--url", diff_opts.source.url, "Repository to fetch instead of a local folder");
  diff->add_option("--branch", diff_opts.branch, "Branch to render")->needs(diff_url);
  diff->add_option("--tag", diff_opts.tag, "Tag to render")->needs(diff_url)->excludes("--branch");
  diff->add_option("--semver", diff_opts.semver, "Semver range; the highest matching tag is rendered")
      ->needs(diff_url)->excludes("--branch", "--tag");
  diff->add_option("--commit", diff_opts.commit, "Full commit SHA to render")->needs(diff_url)->excludes("--tag", "--semver");
  diff->add_option("--path", diff_opts.source.path, "Folder inside the repository")->needs(diff_url);
  diff->add_option("--secret-file", diff_opts.secret_file, "Kubernetes Secret manifest with the Git credentials")->needs(diff_url);
  diff->add_option("--cache-dir", diff_opts.cache_dir, "Git cache folder (default: a temporary one)")->needs(diff_url);
  diff->add_option("--name", diff_opts.name,
                   "The GitRepository (in -n) that applies these objects: its marks, targetNamespace and adopt are "
                   "used, and objects of its inventory no longer rendered are shown as pruned");
  diff->add_option("--kubeconfig", kube_flags.kubeconfig, "Path to a kubeconfig; default $KUBECONFIG, in-cluster, ~/.kube/config");
  diff->add_option("--context", kube_flags.context, "The kubeconfig context to use; default its current-context");
  diff->add_option("-n,--namespace", kube_flags.namespace_,
                   "Namespace of --name, and of objects that name none; default the context's namespace");
  diff->add_option("-o,--output", kube_flags.output, "Output format: text (the unified diff, the default), json or yaml")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  diff->add_flag("--no-color", kube_flags.no_color, "No color even on a terminal (also when $NO_COLOR is set)");
  gitopsd::render_budget_flags diff_budgets;
  diff_budgets.add_to(diff);
  gitopsd::add_git_budget_flags(diff, diff_opts.source.limits, diff_opts.source.budget);
  diff->add_option("--load-restrictor", diff_load_restrictor,
                   "Files a kustomization may read: LoadRestrictionsNone (as the agent renders, the default) or "
                   "LoadRestrictionsRootOnly")
      ->check(CLI::IsMember({"LoadRestrictionsRootOnly", "LoadRestrictionsNone", "none"}));
  diff_source_flags.add_to(diff);
  diff->callback([&] {
    diff_opts.render = diff_budgets.apply();
    diff_opts.render.load = diff_load_restrictor == "LoadRestrictionsRootOnly" ? gitopsd::render::load_restrictor::root_only
                                                                             : gitopsd::render::load_restrictor::none;
    auto source_flags = diff_source_flags.apply();
    if (!source_flags) {
      exit_code = gitopsd::cli::fail(source_flags.error().what());
      return;
    }
    diff_opts.source_opts = std::move(*source_flags);
    exit_code = gitopsd::cli::run_diff(kube_flags, std::move(diff_opts));
  });

  auto* trace = app.add_subcommand("trace", "Show which GitRepository manages an object, at which revision, and if it is in sync");
  trace->add_option("KIND/NAME", object_name, "The object: Kind/name or Kind.group/name")->required();
  gitopsd::add_kube_flags(trace, kube_flags, false);
  trace->callback([&] { exit_code = gitopsd::cli::run_trace(kube_flags, object_name); });

  app.parse_complete_callback([&] {
    gitopsd::log::configure(*gitopsd::log::parse_format(log_format), *gitopsd::log::parse_level(log_level));
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --help-all, --version
  } catch (const CLI::ParseError& e) {
    // Argument errors as every other failure: one line on stderr and exit 2.
    std::cerr << "error: " << gitopsd::cli::one_line(e.what()) << "\n";
    return 2;
  }
  return exit_code;
}
