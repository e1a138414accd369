#pragma once
// `gitopsd get [NAME] [-A] [-w]`: GitRepository objects as a table (or JSON/YAML), optionally
// followed with a watch that prints a row whenever one changes.

#include "gitopsd/cli/kube_command.hpp"

namespace gitopsd::cli {

struct get_options {
  std::string name;  // empty: all in the namespace (or all namespaces with -A)
  bool watch = false;
};

int run_get(const kube_flags& flags, const get_options& options);

}  // namespace gitopsd::cli
