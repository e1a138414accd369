#include "gitopsd/kube/config.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/token_source.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace gitopsd;
using namespace gitopsd::kube;
namespace fs = std::filesystem;

namespace {

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("gitopsd-kube-test-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

// base64 of "CERT PEM" and "KEY PEM" and "CA PEM"
const std::string kubeconfig = R"(apiVersion: v1
kind: Config
current-context: dev
contexts:
- name: dev
  context: {cluster: local, user: admin, namespace: team-a}
- name: certs
  context: {cluster: local-files, user: cert-user}
- name: plugin
  context: {cluster: local, user: exec-user}
- name: basic
  context: {cluster: local, user: basic-user}
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: Q0EgUEVN
- name: local-files
  cluster:
    server: https://[::1]:6443
    certificate-authority: pki/ca.crt
    insecure-skip-tls-verify: true
users:
- name: admin
  user: {token: s3cret}
- name: cert-user
  user:
    client-certificate: pki/client.crt
    client-key-data: S0VZIFBFTQ==
    tokenFile: tok
- name: exec-user
  user:
    exec: {command: aws, apiVersion: client.authentication.k8s.io/v1}
- name: basic-user
  user: {username: a, password: b}
)";

}  // namespace

TEST_CASE("kubeconfig: current context, token, CA data, namespace", "[config]") {
  auto c = parse_kubeconfig(kubeconfig, "/nowhere", {}, "kubeconfig test");
  REQUIRE(c.has_value());
  CHECK(c->server == "https://127.0.0.1:6443");
  CHECK(c->token == "s3cret");
  CHECK(c->tls.ca_pem == "CA PEM");
  CHECK(c->namespace_ == "team-a");
  CHECK_FALSE(c->tls.insecure_skip_verify);
  CHECK(c->origin == "kubeconfig test, context dev");
}

TEST_CASE("kubeconfig: files relative to the kubeconfig, key data, insecure only when set", "[config]") {
  temp_dir dir;
  dir.write("pki/ca.crt", "CA FROM FILE");
  dir.write("pki/client.crt", "CERT FROM FILE");
  auto path = dir.write("config", kubeconfig);
  auto c = load_kubeconfig(path.string(), "certs");
  REQUIRE(c.has_value());
  CHECK(c->server == "https://[::1]:6443");
  CHECK(c->tls.ca_pem == "CA FROM FILE");
  CHECK(c->tls.client_cert_pem == "CERT FROM FILE");
  CHECK(c->tls.client_key_pem == "KEY PEM");
  CHECK(c->tls.insecure_skip_verify);
  CHECK(c->token_file == dir.path / "tok");
  CHECK(c->namespace_ == "default");
}

TEST_CASE("kubeconfig: plugins and basic auth are refused by name", "[config]") {
  auto e = parse_kubeconfig(kubeconfig, "/", "plugin", "kubeconfig k");
  REQUIRE_FALSE(e.has_value());
  CHECK(e.error().code == errc::unsupported_auth);
  CHECK(e.error().what() ==
        "kubeconfig k, context plugin: user \"exec-user\" uses an exec plugin, which gitopsd does not run; use a "
        "token, a token file or a client certificate");
  auto b = parse_kubeconfig(kubeconfig, "/", "basic", "kubeconfig k");
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().what() ==
        "kubeconfig k, context basic: user \"basic-user\" uses basic auth (username/password), which is not supported");
}

TEST_CASE("kubeconfig: errors name what is missing", "[config]") {
  auto missing_ctx = parse_kubeconfig(kubeconfig, "/", "nope", "kubeconfig k");
  REQUIRE_FALSE(missing_ctx.has_value());
  CHECK(missing_ctx.error().what() == "kubeconfig k, context nope: context not found");
  auto missing_file = parse_kubeconfig(kubeconfig, "/does-not-exist", "certs", "kubeconfig k");
  REQUIRE_FALSE(missing_file.has_value());
  CHECK(missing_file.error().what() ==
        "kubeconfig k, context certs: cannot read certificate-authority file /does-not-exist/pki/ca.crt");
  auto bad_yaml = parse_kubeconfig("a: [", "/", {}, "kubeconfig k");
  REQUIRE_FALSE(bad_yaml.has_value());
  CHECK(bad_yaml.error().code == errc::bad_config);
  auto no_ctx = parse_kubeconfig("apiVersion: v1\n", "/", {}, "kubeconfig k");
  REQUIRE_FALSE(no_ctx.has_value());
  CHECK(no_ctx.error().what() == "kubeconfig k: no current-context and no context was chosen");
  auto bad_b64 = parse_kubeconfig(
      "current-context: c\ncontexts: [{name: c, context: {cluster: x}}]\nclusters: [{name: x, cluster: {server: "
      "'https://h', certificate-authority-data: '!!'}}]\n",
      "/", {}, "kubeconfig k");
  REQUIRE_FALSE(bad_b64.has_value());
  CHECK(bad_b64.error().what() == "kubeconfig k, context c: certificate-authority-data is not valid base64");
  auto no_file = load_kubeconfig("/does/not/exist");
  REQUIRE_FALSE(no_file.has_value());
  CHECK(no_file.error().what() == "kubeconfig /does/not/exist: file does not exist");
}

TEST_CASE("KUBECONFIG lists merge: the first file to set a value wins", "[config]") {
  temp_dir dir;
  auto a = dir.write("a", "current-context: one\ncontexts: [{name: one, context: {cluster: c, user: u}}]\n");
  auto b = dir.write("b",
                     "current-context: two\nclusters: [{name: c, cluster: {server: 'https://b:1'}}]\n"
                     "users: [{name: u, user: {token: t}}]\n");
  auto c = load_kubeconfig(a.string() + ":" + (dir.path / "missing").string() + ":" + b.string());
  REQUIRE(c.has_value());
  CHECK(c->server == "https://b:1");
  CHECK(c->token == "t");
  CHECK(c->origin == "kubeconfig " + a.string() + ", context one");
}

TEST_CASE("in-cluster: service host and port, IPv6 bracketed, files from the directory", "[config]") {
  temp_dir dir;
  dir.write("token", "tok-1\n");
  dir.write("ca.crt", "CA");
  dir.write("namespace", "gitopsd-system\n");
  auto c = load_in_cluster({"fd00::1", "443", dir.path});
  REQUIRE(c.has_value());
  CHECK(c->server == "https://[fd00::1]:443");
  CHECK(c->tls.ca_pem == "CA");
  CHECK(c->namespace_ == "gitopsd-system");
  CHECK(c->token_file == dir.path / "token");
  auto v4 = load_in_cluster({"10.96.0.1", "443", dir.path});
  REQUIRE(v4.has_value());
  CHECK(v4->server == "https://10.96.0.1:443");
  auto unset = load_in_cluster({"", "", dir.path});
  REQUIRE_FALSE(unset.has_value());
  CHECK(unset.error().what() == "in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  auto no_token = load_in_cluster({"h", "1", dir.path / "none"});
  REQUIRE_FALSE(no_token.has_value());
  CHECK(no_token.error().code == errc::bad_config);
}

TEST_CASE("a token file is read again when it changes", "[config]") {
  temp_dir dir;
  auto file = dir.write("token", "first\n");
  token_source t("", file);
  CHECK(t.current() == "first");
  dir.write("token", "second-token");
  // Make the change visible even on file systems with coarse timestamps.
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(2));
  CHECK(t.current() == "second-token");
  fs::remove(file);
  CHECK(t.current() == "second-token");  // the last good token stays while the file is replaced
  token_source fixed("static", {});
  CHECK(fixed.current() == "static");
  CHECK_FALSE(fixed.from_file());
}
