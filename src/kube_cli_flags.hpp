#pragma once
// The flags every everyday command (get, reconcile, suspend, resume, tree, trace) takes.

#include "gitopsd/cli/kube_command.hpp"

#include <CLI/CLI.hpp>

namespace gitopsd {

inline void add_kube_flags(CLI::App* command, cli::kube_flags& flags, bool all_namespaces) {
  command->add_option("--kubeconfig", flags.kubeconfig, "Path to a kubeconfig; default $KUBECONFIG, in-cluster, ~/.kube/config");
  command->add_option("--context", flags.context, "The kubeconfig context to use; default its current-context");
  command->add_option("-n,--namespace", flags.namespace_, "Namespace; default the context's namespace");
  if (all_namespaces) command->add_flag("-A,--all-namespaces", flags.all_namespaces, "All namespaces");
  command->add_option("-o,--output", flags.output, "Output format: table, json or yaml")
      ->capture_default_str()->check(CLI::IsMember({"table", "json", "yaml"}));
  command->add_flag("--no-color", flags.no_color, "No color even on a terminal (also when $NO_COLOR is set)");
}

}  // namespace gitopsd
