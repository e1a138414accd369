#pragma once
// Where the API server is and how to authenticate: from a kubeconfig file or from inside a pod.

#include "gitopsd/core/error.hpp"
#include "gitopsd/kube/transport.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace gitopsd::kube {

struct config {
  std::string server;  // "https://host:port" (no trailing slash)
  tls_settings tls;    // CA, client certificate and key as PEM text, insecure only when asked
  std::string token;   // a static bearer token
  std::filesystem::path token_file;  // re-read when it changes (service-account token rotation)
  std::string namespace_ = "default";  // the context's namespace, or the pod's
  std::string origin;  // for messages: "kubeconfig <file>, context <name>" or "in-cluster"
};

// Parses kubeconfig text. Relative file paths are relative to `base_dir`. `context` empty: the
// current-context. Exec and auth-provider plugins, basic auth and tls-server-name are refused with
// an error naming them.
result<config> parse_kubeconfig(std::string_view yaml_text, const std::filesystem::path& base_dir,
                                std::string_view context = {}, std::string_view origin = "kubeconfig");

// Reads one or more files (a $KUBECONFIG-style list separated by ':'); the first file that sets a
// value wins, like kubectl's merge.
result<config> load_kubeconfig(std::string_view paths, std::string_view context = {});

struct in_cluster_env {
  std::string host;  // KUBERNETES_SERVICE_HOST (an IPv6 literal is bracketed)
  std::string port;  // KUBERNETES_SERVICE_PORT
  std::filesystem::path dir = "/var/run/secrets/kubernetes.io/serviceaccount";  // token, ca.crt, namespace
};

// The environment's values (the directory stays the default).
in_cluster_env in_cluster_from_environment();
result<config> load_in_cluster(const in_cluster_env& env);

// The usual order: an explicit --kubeconfig, then $KUBECONFIG, then in-cluster when
// KUBERNETES_SERVICE_HOST is set, then ~/.kube/config.
result<config> load_default(std::string_view explicit_path = {}, std::string_view context = {});

}  // namespace gitopsd::kube
