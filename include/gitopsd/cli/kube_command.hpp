#pragma once
// What the everyday commands (get, reconcile, suspend, resume, tree, trace) share: the flags that
// choose the cluster and the output, one client made the way `gitopsd run` makes it, and errors
// turned into one line a person can act on.

#include "gitopsd/core/error.hpp"
#include "gitopsd/kube/client.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace gitopsd::cli {

struct kube_flags {
  std::string kubeconfig;
  std::string context;
  std::string namespace_;  // empty: the context's namespace
  bool all_namespaces = false;
  std::string output = "table";  // table, json or yaml
  bool no_color = false;
};

struct session {
  kube::client client;
  std::string namespace_;  // the flag, or the context's namespace
  std::string server;
  bool color = false;      // stdout is a terminal, no --no-color, no $NO_COLOR
  std::string output;
};

// Exit codes: 0 success, 1 a result that is not success (reconcile not Ready, trace not in sync),
// 2 an error (unknown name, no permission, cluster unreachable, bad arguments).
inline constexpr int exit_ok = 0;
inline constexpr int exit_not_ready = 1;
inline constexpr int exit_error = 2;

// A failed API call as one line: `subject` names what was asked for ("GitRepository ns/name").
std::string describe_failure(const error& e, std::string_view subject, std::string_view server);

// Loads the configuration, makes the client, runs `body` to its end and returns its exit code;
// a configuration error is printed here. `body` prints its own results and errors.
int run_with_cluster(const kube_flags& flags, std::function<boost::asio::awaitable<int>(session&)> body);

// Prints "error: <line>" to stderr and returns exit_error.
int fail(std::string_view line);

// The GitRepository `name` in the session's namespace; errors already described.
kube::task<rapidjson::Document> get_gitrepository(session& s, std::string name);

// Prints a JSON value as -o json (indented) or -o yaml.
void print_structured(const session& s, const rapidjson::Value& value);

}  // namespace gitopsd::cli
