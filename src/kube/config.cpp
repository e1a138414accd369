#include "gitopsd/kube/config.hpp"

#include "gitopsd/core/base64.hpp"
#include "gitopsd/kube/errc.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

namespace fs = std::filesystem;

namespace gitopsd::kube {
namespace {

struct named_entry {
  YAML::Node node;
  fs::path base_dir;
};

// Merged view of one or more kubeconfig files: the first definition of a name wins.
struct merged_kubeconfig {
  std::string current_context;
  std::map<std::string, named_entry> contexts, clusters, users;
};

error config_error(std::string_view origin, std::string text) {
  return make_error(errc::bad_config, fmt::format("{}: {}", origin, text));
}

result<std::string> read_file(const fs::path& path, std::string_view origin, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return config_error(origin, fmt::format("cannot read {} file {}", what, path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string scalar(const YAML::Node& node, const char* key) {
  const YAML::Node v = node[key];
  return v && v.IsScalar() ? v.as<std::string>() : std::string();
}

result<void> merge(merged_kubeconfig& into, std::string_view text, const fs::path& base_dir, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return config_error(origin, fmt::format("not valid YAML: {}", e.msg));
  }
  if (!root || root.IsNull()) return {};
  if (!root.IsMap()) return config_error(origin, "not a kubeconfig (expected a mapping)");
  if (into.current_context.empty()) into.current_context = scalar(root, "current-context");
  auto add = [&](const char* list, const char* inner, std::map<std::string, named_entry>& target) -> result<void> {
    const YAML::Node items = root[list];
    if (!items) return {};
    if (!items.IsSequence()) return config_error(origin, fmt::format("{} must be a list", list));
    for (const auto& item : items) {
      std::string name = item.IsMap() ? scalar(item, "name") : std::string();
      if (name.empty()) return config_error(origin, fmt::format("an entry of {} has no name", list));
      YAML::Node body = item[inner];
      if (!body) body = YAML::Node(YAML::NodeType::Map);
      target.emplace(name, named_entry{body, base_dir});
    }
    return {};
  };
  if (auto r = add("contexts", "context", into.contexts); !r) return r.error();
  if (auto r = add("clusters", "cluster", into.clusters); !r) return r.error();
  if (auto r = add("users", "user", into.users); !r) return r.error();
  return {};
}

// A "<name>-data" (base64) or "<name>" (a file path) pair, as kubeconfig writes certificates.
result<std::string> data_or_file(const named_entry& entry, const char* data_key, const char* file_key,
                                 std::string_view origin) {
  std::string data = scalar(entry.node, data_key);
  if (!data.empty()) {
    auto decoded = base64_decode(data);
    if (!decoded) return config_error(origin, fmt::format("{} is not valid base64", data_key));
    return *decoded;
  }
  std::string file = scalar(entry.node, file_key);
  if (file.empty()) return std::string();
  fs::path path(file);
  if (path.is_relative()) path = entry.base_dir / path;
  return read_file(path, origin, file_key);
}

result<config> resolve(const merged_kubeconfig& kc, std::string_view context_name, std::string_view origin_base) {
  std::string ctx_name(context_name.empty() ? std::string_view(kc.current_context) : context_name);
  if (ctx_name.empty()) return config_error(origin_base, "no current-context and no context was chosen");
  std::string origin = fmt::format("{}, context {}", origin_base, ctx_name);
  auto ctx = kc.contexts.find(ctx_name);
  if (ctx == kc.contexts.end()) return config_error(origin, "context not found");
  std::string cluster_name = scalar(ctx->second.node, "cluster");
  std::string user_name = scalar(ctx->second.node, "user");
  auto cluster = kc.clusters.find(cluster_name);
  if (cluster == kc.clusters.end()) return config_error(origin, fmt::format("cluster \"{}\" not found", cluster_name));

  config cfg;
  cfg.origin = origin;
  std::string ns = scalar(ctx->second.node, "namespace");
  if (!ns.empty()) cfg.namespace_ = ns;
  cfg.server = scalar(cluster->second.node, "server");
  while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
  if (cfg.server.empty()) return config_error(origin, fmt::format("cluster \"{}\" has no server", cluster_name));
  if (!cfg.server.starts_with("https://") && !cfg.server.starts_with("http://"))
    return config_error(origin, fmt::format("server \"{}\" is not an http(s) URL", cfg.server));
  if (!scalar(cluster->second.node, "tls-server-name").empty())
    return make_error(errc::unsupported_auth, fmt::format("{}: tls-server-name is not supported", origin));
  if (!scalar(cluster->second.node, "proxy-url").empty())
    return make_error(errc::unsupported_auth, fmt::format("{}: proxy-url is not supported", origin));
  auto ca = data_or_file(cluster->second, "certificate-authority-data", "certificate-authority", origin);
  if (!ca) return ca.error();
  cfg.tls.ca_pem = std::move(*ca);
  const YAML::Node insecure = cluster->second.node["insecure-skip-tls-verify"];
  cfg.tls.insecure_skip_verify = insecure && insecure.IsScalar() && insecure.as<bool>(false);

  if (user_name.empty()) return cfg;  // anonymous
  auto user = kc.users.find(user_name);
  if (user == kc.users.end()) return config_error(origin, fmt::format("user \"{}\" not found", user_name));
  const YAML::Node& u = user->second.node;
  for (const char* plugin : {"exec", "auth-provider"}) {
    if (u[plugin])
      return make_error(errc::unsupported_auth,
                        fmt::format("{}: user \"{}\" uses an {} plugin, which gitopsd does not run; use a token, "
                                    "a token file or a client certificate",
                                    origin, user_name, plugin));
  }
  if (u["username"] || u["password"])
    return make_error(errc::unsupported_auth,
                      fmt::format("{}: user \"{}\" uses basic auth (username/password), which is not supported",
                                  origin, user_name));
  if (u["as"] || u["as-groups"])
    return make_error(errc::unsupported_auth,
                      fmt::format("{}: user \"{}\": impersonation in kubeconfig is not supported; gitopsd sets it "
                                  "per request",
                                  origin, user_name));
  cfg.token = scalar(u, "token");
  std::string token_file = scalar(u, "tokenFile");
  if (!token_file.empty()) {
    fs::path path(token_file);
    if (path.is_relative()) path = user->second.base_dir / path;
    cfg.token_file = path;
  }
  auto cert = data_or_file(user->second, "client-certificate-data", "client-certificate", origin);
  if (!cert) return cert.error();
  auto key = data_or_file(user->second, "client-key-data", "client-key", origin);
  if (!key) return key.error();
  if (cert->empty() != key->empty())
    return config_error(origin, fmt::format("user \"{}\" has a client certificate without a key or a key without "
                                            "a certificate",
                                            user_name));
  cfg.tls.client_cert_pem = std::move(*cert);
  cfg.tls.client_key_pem = std::move(*key);
  return cfg;
}

}  // namespace

result<config> parse_kubeconfig(std::string_view yaml_text, const fs::path& base_dir, std::string_view context,
                                std::string_view origin) {
  merged_kubeconfig kc;
  if (auto r = merge(kc, yaml_text, base_dir, origin); !r) return r.error();
  return resolve(kc, context, origin);
}

result<config> load_kubeconfig(std::string_view paths, std::string_view context) {
  merged_kubeconfig kc;
  std::string origin;
  std::size_t start = 0;
  int files = 0;
  while (start <= paths.size()) {
    auto end = paths.find(':', start);
    if (end == std::string_view::npos) end = paths.size();
    fs::path path(std::string(paths.substr(start, end - start)));
    start = end + 1;
    if (path.empty()) continue;
    std::string file_origin = "kubeconfig " + path.string();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      if (files == 0 && start > paths.size() && origin.empty())
        return config_error(file_origin, "file does not exist");
      continue;  // like kubectl, missing entries of a list are skipped
    }
    auto text = read_file(path, file_origin, "kubeconfig");
    if (!text) return text.error();
    if (auto r = merge(kc, *text, path.parent_path(), file_origin); !r) return r.error();
    if (origin.empty()) origin = file_origin;
    ++files;
  }
  if (files == 0) return config_error(fmt::format("kubeconfig {}", paths), "no such file");
  return resolve(kc, context, origin);
}

in_cluster_env in_cluster_from_environment() {
  in_cluster_env env;
  if (const char* h = std::getenv("KUBERNETES_SERVICE_HOST")) env.host = h;
  if (const char* p = std::getenv("KUBERNETES_SERVICE_PORT")) env.port = p;
  // Tests (and unusual mounts) point this at another folder holding token, ca.crt and namespace.
  if (const char* d = std::getenv("GITOPSD_SERVICE_ACCOUNT_DIR"); d != nullptr && *d != '\0') env.dir = d;
  return env;
}

result<config> load_in_cluster(const in_cluster_env& env) {
  if (env.host.empty() || env.port.empty())
    return config_error("in-cluster", "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  config cfg;
  cfg.origin = "in-cluster";
  bool ipv6 = env.host.find(':') != std::string::npos && !env.host.starts_with("[");
  cfg.server = fmt::format("https://{}:{}", ipv6 ? "[" + env.host + "]" : env.host, env.port);
  cfg.token_file = env.dir / "token";
  std::error_code ec;
  if (!fs::exists(cfg.token_file, ec))
    return config_error("in-cluster", fmt::format("no service-account token at {}", cfg.token_file.string()));
  auto ca = read_file(env.dir / "ca.crt", "in-cluster", "CA");
  if (!ca) return ca.error();
  cfg.tls.ca_pem = std::move(*ca);
  if (fs::exists(env.dir / "namespace", ec)) {
    auto ns = read_file(env.dir / "namespace", "in-cluster", "namespace");
    if (!ns) return ns.error();
    std::string trimmed = *ns;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
    if (!trimmed.empty()) cfg.namespace_ = trimmed;
  }
  return cfg;
}

result<config> load_default(std::string_view explicit_path, std::string_view context) {
  if (!explicit_path.empty()) return load_kubeconfig(explicit_path, context);
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') return load_kubeconfig(env, context);
  auto in_cluster = in_cluster_from_environment();
  if (!in_cluster.host.empty()) return load_in_cluster(in_cluster);
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return config_error("kubeconfig", "no --kubeconfig, $KUBECONFIG, in-cluster environment or $HOME");
  return load_kubeconfig((fs::path(home) / ".kube" / "config").string(), context);
}

}  // namespace gitopsd::kube
