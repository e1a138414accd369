#include "gitopsd/cli/trace_target.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;

namespace {

const object_ref config_map{{"", "v1", "ConfigMap"}, "web", "settings"};

rapidjson::Document object(std::string_view tracking, std::string_view label_ns, std::string_view label_name) {
  return json::parse(fmt::format(R"({{"metadata": {{"name": "settings", "namespace": "web",
    "labels": {{"gitopsd.io/namespace": "{}", "gitopsd.io/name": "{}"}},
    "annotations": {{"gitopsd.io/tracking-id": "{}"}}}}}})", label_ns, label_name, tracking)).value();
}

rapidjson::Document owner(std::string_view extra_status, std::string_view ready = "True", int generation = 3) {
  return json::parse(fmt::format(R"({{"metadata": {{"name": "app", "namespace": "team", "generation": {}}}, "spec": {{}},
    "status": {{"observedGeneration": 3, {}"conditions": [{{"type": "Ready", "status": "{}", "message": "m"}}]}}}})",
                                 generation, extra_status, ready)).value();
}

constexpr const char* listed = R"("inventory": {"entries": [{"id": "web_settings__ConfigMap", "v": "v1"}]}, )";

}  // namespace

TEST_CASE("trace: KIND/NAME and KIND.GROUP/NAME", "[cli]") {
  auto plain = cli::parse_trace_target("deployment/web");
  REQUIRE(plain.has_value());
  CHECK(plain->kind == "deployment");
  CHECK_FALSE(plain->group_given);
  CHECK(plain->name == "web");
  auto grouped = cli::parse_trace_target("Widget.example.com/w1");
  REQUIRE(grouped.has_value());
  CHECK(grouped->kind == "Widget");
  CHECK(grouped->group == "example.com");
  for (const char* bad : {"web", "/web", "Deployment/", "a/b/c", ".example.com/x", "Widget./x"}) {
    INFO(bad);
    CHECK_FALSE(cli::parse_trace_target(bad).has_value());
  }
}

TEST_CASE("trace: well-known kinds are found in any case, and others need their group", "[cli]") {
  CHECK(cli::well_known_kind("deployment") == group_version_kind{"apps", "v1", "Deployment"});
  CHECK(cli::well_known_kind("CONFIGMAP") == group_version_kind{"", "v1", "ConfigMap"});
  CHECK_FALSE(cli::well_known_kind("Widget"));
}

TEST_CASE("trace: the owner comes from a tracking id that names this object, and matching labels", "[cli]") {
  auto m = cli::owner_of(object("team/app:/ConfigMap:web/settings", "team", "app"), config_map);
  CHECK(m.managed);
  CHECK(m.namespace_ == "team");
  CHECK(m.name == "app");
  CHECK(m.problem.empty());
}

TEST_CASE("trace: a copy of a managed object (tracking id of another object) is not managed", "[cli]") {
  auto m = cli::owner_of(object("team/app:/ConfigMap:web/original", "team", "app"), config_map);
  CHECK_FALSE(m.managed);
  CHECK_THAT(m.problem, Catch::Contains("names another object"));
}

TEST_CASE("trace: labels that disagree with the tracking id, or labels alone, are reported", "[cli]") {
  auto m = cli::owner_of(object("team/app:/ConfigMap:web/settings", "team", "other"), config_map);
  CHECK_FALSE(m.managed);
  CHECK_THAT(m.problem, Catch::Contains("labels name team/other"));
  auto labels_only = cli::owner_of(object("", "team", "app"), config_map);
  CHECK_FALSE(labels_only.managed);
  CHECK_THAT(labels_only.problem, Catch::Contains("tracking id is missing"));
  auto unmarked = cli::owner_of(json::parse(R"({"metadata": {"name": "settings"}})").value(), config_map);
  CHECK_FALSE(unmarked.managed);
  CHECK(unmarked.problem.empty());
  auto malformed = cli::owner_of(object("garbage", "", ""), config_map);
  CHECK_THAT(malformed.problem, Catch::Contains("malformed"));
}

TEST_CASE("trace: in sync only when listed and the owner is Ready at its generation", "[cli]") {
  CHECK(cli::judge_sync(owner(listed), config_map).in_sync);
  auto not_listed = cli::judge_sync(owner(""), config_map);
  CHECK_FALSE(not_listed.in_sync);
  CHECK_THAT(not_listed.why, Catch::Contains("not in the GitRepository's inventory"));
  auto failing = cli::judge_sync(owner(listed, "False"), config_map);
  CHECK_FALSE(failing.in_sync);
  CHECK(failing.why == "the GitRepository is not Ready: m");
  auto newer_spec = cli::judge_sync(owner(listed, "True", 4), config_map);
  CHECK_FALSE(newer_spec.in_sync);
  CHECK_THAT(newer_spec.why, Catch::Contains("not reconciled yet"));
}
