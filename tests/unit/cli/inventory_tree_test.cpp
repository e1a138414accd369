#include "gitopsd/cli/inventory_tree.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

namespace {
cli::tree_item item(std::string group, std::string kind, std::string ns, std::string name, std::string health,
                    std::string message = {}) {
  return {{{std::move(group), "v1", std::move(kind)}, std::move(ns), std::move(name)}, std::move(health), std::move(message)};
}
}  // namespace

TEST_CASE("tree: namespaces, then kinds, then objects, sorted, cluster-scoped first", "[cli]") {
  std::vector<cli::tree_item> items{
      item("apps", "Deployment", "web", "front", "InProgress", "1 of 2 replicas ready"),
      item("", "ConfigMap", "web", "settings", "Current"),
      item("", "Namespace", "", "web", "Current"),
      item("", "ConfigMap", "web", "a-first", "NotFound"),
      item("", "Service", "api", "api", "Current"),
  };
  CHECK(cli::render_tree("GitRepository/n/app", items) ==
        "GitRepository/n/app\n"
        "├── (cluster)\n"
        "│   └── Namespace\n"
        "│       └── web  Current\n"
        "├── api\n"
        "│   └── Service\n"
        "│       └── api  Current\n"
        "└── web\n"
        "    ├── ConfigMap\n"
        "    │   ├── a-first  NotFound\n"
        "    │   └── settings  Current\n"
        "    └── Deployment.apps\n"
        "        └── front  InProgress (1 of 2 replicas ready)\n");
}

TEST_CASE("tree: an empty inventory is the root alone", "[cli]") {
  CHECK(cli::render_tree("GitRepository/n/app", {}) == "GitRepository/n/app\n");
}

TEST_CASE("tree: the painter colors only the health word", "[cli]") {
  auto text = cli::render_tree("r", {item("", "ConfigMap", "n", "c", "Current")}, [](const std::string& h) { return "<" + h + ">"; });
  CHECK(text == "r\n└── n\n    └── ConfigMap\n        └── c  <Current>\n");
}

TEST_CASE("tree: JSON groups the same way", "[cli]") {
  auto doc = cli::tree_json("n/app", {item("apps", "Deployment", "web", "front", "Current"), item("", "Namespace", "", "web", "Current")});
  CHECK(json::serialize(doc) ==
        R"({"gitRepository":"n/app","namespaces":[{"name":"","kinds":[{"kind":"Namespace","group":"","objects":[{"name":"web","health":"Current","message":""}]}]},)"
        R"({"name":"web","kinds":[{"kind":"Deployment","group":"apps","objects":[{"name":"front","health":"Current","message":""}]}]}]})");
}
