#include "gitopsd/cli/object_diff.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::cli;

namespace {

rapidjson::Document doc(const char* text) { return json::parse(text).value(); }

const object_ref secret_ref{{"", "v1", "Secret"}, "team", "db"};
const object_ref config_ref{{"", "v1", "ConfigMap"}, "team", "settings"};

}  // namespace

TEST_CASE("object diff: server fields and status are left out", "[cli]") {
  auto o = doc(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "uid": "u", "resourceVersion": "7",
    "generation": 2, "creationTimestamp": "t", "managedFields": [{"manager": "x"}], "labels": {"k": "v"}},
    "data": {"a": "b"}, "status": {"x": 1}})");
  strip_server_fields(o);
  CHECK(json::serialize(o) ==
        R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"k":"v"}},"data":{"a":"b"}})");
  auto sourced = doc(R"({"metadata": {"name": "a", "annotations": {"gitopsd.io/source": "app/a.yaml#1"}}})");
  strip_server_fields(sourced);
  CHECK(json::serialize(sourced) == R"({"metadata":{"name":"a"}})");
  auto noted = doc(R"({"metadata": {"name": "a", "annotations": {"gitopsd.io/source": "a.yaml#1", "note": "x"}}})");
  strip_server_fields(noted);
  CHECK(json::serialize(noted) == R"({"metadata":{"name":"a","annotations":{"note":"x"}}})");
  auto odd = doc(R"({"metadata": "not an object", "status": 1})");
  strip_server_fields(odd);
  CHECK(json::serialize(odd) == R"({"metadata":"not an object"})");
}

TEST_CASE("object diff: Secret values are masked, a changed one differently on each side", "[cli]") {
  auto live = doc(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "annotations":
    {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"b2xk\"}}", "note": "plain"}},
    "data": {"password": "b2xkLXNlY3JldA==", "user": "YWRtaW4=", "gone": "eA=="}})");
  auto merged = doc(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "annotations":
    {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"password\":\"b2xk\"}}", "note": "plain"}},
    "data": {"password": "bmV3LXNlY3JldA==", "user": "YWRtaW4=", "new": "eQ=="}})");
  mask_secret_values(&live, &merged);
  CHECK(json::get_string(live, "data", "password") == masked_before);
  CHECK(json::get_string(merged, "data", "password") == masked_after);
  CHECK(json::get_string(live, "data", "user") == masked);
  CHECK(json::get_string(merged, "data", "user") == masked);
  CHECK(json::get_string(live, "data", "gone") == masked);
  CHECK(json::get_string(merged, "data", "new") == masked);
  CHECK(json::get_string(live, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration") == masked);
  CHECK(json::get_string(live, "metadata", "annotations", "note") == "plain");
}

TEST_CASE("object diff: a new Secret shows no value, other kinds are not masked", "[cli]") {
  auto merged = doc(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
    "stringData": {"token": "s3cr3t-token"}, "data": {"password": "czNjcjN0"}})");
  std::string text = object_diff(secret_ref, nullptr, &merged);
  INFO(text);
  CHECK(text.find("s3cr3t") == std::string::npos);
  CHECK(text.find("czNjcjN0") == std::string::npos);
  CHECK(text.find("+  password: \"***\"") != std::string::npos);
  CHECK(text.starts_with("--- live/v1/Secret/team/db\n+++ merged/v1/Secret/team/db\n@@ -0,0 +1,"));
  // A ConfigMap of the same shape is shown as it is.
  auto config = doc(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"token": "plain"}})");
  CHECK(object_diff(config_ref, nullptr, &config).find("token: plain") != std::string::npos);
}

TEST_CASE("object diff: a changed Secret value shows as changed, not its value", "[cli]") {
  auto live = doc(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "resourceVersion": "1"},
    "data": {"password": "b2xkLXZhbHVl", "user": "YWRtaW4="}})");
  auto merged = doc(R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "resourceVersion": "1"},
    "data": {"password": "bmV3LXZhbHVl", "user": "YWRtaW4="}})");
  std::string text = object_diff(secret_ref, &live, &merged);
  INFO(text);
  CHECK(text.find("b2xk") == std::string::npos);
  CHECK(text.find("bmV3") == std::string::npos);
  CHECK(text.find("-  password: \"*** (before)\"\n+  password: \"*** (after)\"\n") != std::string::npos);
  // Same values: no difference at all.
  CHECK(object_diff(secret_ref, &live, &live).empty());
}

TEST_CASE("object diff: equal but for server fields is no difference, a change is one hunk", "[cli]") {
  auto live = doc(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "team",
    "resourceVersion": "5", "managedFields": []}, "data": {"color": "blue", "size": "L"}})");
  auto same = doc(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "team",
    "resourceVersion": "6"}, "data": {"color": "blue", "size": "L"}})");
  CHECK(object_diff(config_ref, &live, &same).empty());
  auto changed = doc(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "team"},
    "data": {"color": "green", "size": "L"}})");
  CHECK(object_diff(config_ref, &live, &changed) ==
        "--- live/v1/ConfigMap/team/settings\n+++ merged/v1/ConfigMap/team/settings\n"
        "@@ -4,5 +4,5 @@\n   name: settings\n   namespace: team\n data:\n-  color: blue\n+  color: green\n   size: L\n");
  // Would be removed: every line goes.
  CHECK(object_diff(config_ref, &live, nullptr).find("@@ -1,8 +0,0 @@\n-apiVersion: v1\n") != std::string::npos);
}

TEST_CASE("object diff: paths and colors", "[cli]") {
  CHECK(diff_path({{"apps", "v1", "Deployment"}, "ns", "web"}) == "apps/v1/Deployment/ns/web");
  CHECK(diff_path({{"", "v1", "Namespace"}, "", "team"}) == "v1/Namespace/team");
  CHECK(colorize_diff("--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n z\n") ==
        "\033[1m--- a\033[0m\n\033[1m+++ b\033[0m\n\033[36m@@ -1 +1 @@\033[0m\n\033[31m-x\033[0m\n\033[32m+y\033[0m\n z\n");
}
