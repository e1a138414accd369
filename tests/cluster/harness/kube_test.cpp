// Acceptance of the test control plane: workloads run on the fake node, RBAC is enforced, CRDs and
// Helm work, and both kubeconfigs (token, client certificate) authenticate.
#include "test_cluster.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace gitopsd::test;

namespace {

// A namespace of the test's own, deleted (without waiting) at the end.
struct test_namespace {
  std::string name;
  explicit test_namespace(const std::string& prefix) : name(prefix + "-" + std::to_string(::getpid())) {
    auto r = test_cluster::shared().kubectl({"create", "namespace", name});
    INFO(describe({"kubectl", "create", "namespace", name}, r));
    REQUIRE(r.ok());
  }
  ~test_namespace() { test_cluster::shared().kubectl({"delete", "namespace", name, "--wait=false"}); }
};

void require_ok(const test_cluster& c, const std::vector<std::string>& args, const std::string& input = {}) {
  auto r = c.kubectl(args, input);
  INFO(describe(args, r));
  REQUIRE(r.ok());
}

}  // namespace

TEST_CASE("a Deployment becomes Available on the fake node", "[kube]") {
  const auto& c = test_cluster::shared();
  test_namespace ns("deploy");
  require_ok(c, {"apply", "-n", ns.name, "-f", "-"}, R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: registry.invalid/web:1}]}
)");
  require_ok(c, {"wait", "-n", ns.name, "--for=condition=Available", "deployment/web", "--timeout=60s"});
  auto pods = c.kubectl({"get", "pods", "-n", ns.name, "-o",
                         "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{\"\\n\"}{end}"});
  REQUIRE(pods.ok());
  CHECK(pods.out == c.node_name() + " Running\n" + c.node_name() + " Running\n");
}

TEST_CASE("RBAC: a ServiceAccount is Forbidden without a Role and allowed with one", "[kube][rbac]") {
  const auto& c = test_cluster::shared();
  test_namespace ns("rbac");
  require_ok(c, {"create", "serviceaccount", "reader", "-n", ns.name});
  auto token = c.kubectl({"create", "token", "reader", "-n", ns.name, "--duration=10m"});
  REQUIRE(token.ok());
  REQUIRE(token.out.size() > 20);
  std::string jwt = token.out.substr(0, token.out.find_last_not_of("\n") + 1);
  // No kubeconfig at all: only the server, the CA and the ServiceAccount's token.
  std::vector<std::string> as_reader{(c.tools_bin() / "kubectl").string(), "--kubeconfig=/dev/null",
                                     "--server=" + c.server(), "--certificate-authority=" + c.ca_file().string(),
                                     "--token=" + jwt, "get", "configmaps", "-n", ns.name};

  auto denied = run(as_reader);
  CHECK(denied.exit_code == 1);
  CHECK_THAT(denied.err, Catch::Contains("Forbidden") &&
                             Catch::Contains("system:serviceaccount:" + ns.name + ":reader"));

  require_ok(c, {"create", "role", "read-configmaps", "-n", ns.name, "--verb=get,list", "--resource=configmaps"});
  require_ok(c, {"create", "rolebinding", "reader", "-n", ns.name, "--role=read-configmaps",
                 "--serviceaccount=" + ns.name + ":reader"});
  auto allowed = run(as_reader);
  INFO(describe(as_reader, allowed));
  CHECK(allowed.ok());
  CHECK_THAT(allowed.out, Catch::Contains("kube-root-ca.crt"));
}

TEST_CASE("a CRD becomes Established and its objects can be created", "[kube][crd]") {
  const auto& c = test_cluster::shared();
  const std::string group = "p" + std::to_string(::getpid()) + ".harness.gitopsd.io";
  const std::string crd = "widgets." + group;
  require_ok(c, {"apply", "-f", "-"}, R"(
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: )" + crd + R"(}
spec:
  group: )" + group + R"(
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {size: {type: integer}}
)");
  require_ok(c, {"wait", "--for=condition=Established", "crd/" + crd, "--timeout=60s"});
  require_ok(c, {"apply", "-n", "default", "-f", "-"},
             "apiVersion: " + group + "/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n");
  auto size = c.kubectl({"get", "widgets." + group, "w1", "-n", "default", "-o", "jsonpath={.spec.size}"});
  CHECK(size.out == "3");
  // A field outside the schema is rejected by the API server (structural schema, strict decoding).
  auto bad = c.kubectl({"create", "-n", "default", "--validate=strict", "-f", "-"},
                       "apiVersion: " + group + "/v1\nkind: Widget\nmetadata: {name: w2}\nspec: {colour: red}\n");
  CHECK_FALSE(bad.ok());
  CHECK_THAT(bad.err, Catch::Contains("colour"));
  require_ok(c, {"delete", "crd", crd, "--wait=false"});
}

TEST_CASE("helm installs a chart into the cluster", "[kube][helm]") {
  const auto& c = test_cluster::shared();
  test_namespace ns("helm");
  auto chart = (harness_dir() / "testdata" / "charts" / "hello").string();
  std::vector<std::string> install{"helm", "install", "hello", chart, "-n", ns.name,
                                   "--set", "greeting=hi", "--wait", "--timeout", "60s"};
  auto r = c.run(install);
  INFO(describe(install, r));
  REQUIRE(r.ok());
  auto status = c.run({"helm", "status", "hello", "-n", ns.name, "-o", "json"});
  CHECK_THAT(status.out, Catch::Contains(R"("status":"deployed")"));
  auto greeting = c.kubectl({"get", "configmap", "hello-greeting", "-n", ns.name, "-o", "jsonpath={.data.greeting}"});
  CHECK(greeting.out == "hi");
  require_ok(c, {"wait", "-n", ns.name, "--for=condition=Available", "deployment/hello", "--timeout=60s"});
  CHECK(c.run({"helm", "uninstall", "hello", "-n", ns.name, "--wait"}).ok());
}

TEST_CASE("both admin kubeconfigs authenticate and the server reports its real version", "[kube][auth]") {
  const auto& c = test_cluster::shared();
  auto by_token = c.kubectl({"auth", "whoami", "-o", "jsonpath={.status.userInfo.username}"});
  CHECK(by_token.out == "gitopsd-test-admin");
  auto by_cert = run({(c.tools_bin() / "kubectl").string(), "--kubeconfig", c.kubeconfig_cert().string(), "auth",
                      "whoami", "-o", "jsonpath={.status.userInfo.groups}"});
  INFO(by_cert.err);
  CHECK_THAT(by_cert.out, Catch::Contains("system:masters"));
  // A wrong token is rejected with 401, not silently treated as anonymous with rights.
  auto wrong = run({(c.tools_bin() / "kubectl").string(), "--kubeconfig=/dev/null", "--server=" + c.server(),
                    "--certificate-authority=" + c.ca_file().string(), "--token=not-a-token", "get", "nodes"});
  CHECK_FALSE(wrong.ok());
  CHECK_THAT(wrong.err, Catch::Contains("Unauthorized") || Catch::Contains("must be logged in"));
  auto version = c.kubectl({"version", "-o", "json"});
  CHECK_THAT(version.out, Catch::Contains(R"("gitVersion": "v1.36)"));
}
