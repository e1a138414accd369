#include "gitopsd/controller/dependencies.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;
using namespace gitopsd::controller;

namespace {
rapidjson::Document doc(std::string_view text) { return json::parse(text).value(); }

rapidjson::Document repo(int generation, int observed, const char* ready, const char* reason) {
  return doc(fmt::format(R"({{"metadata":{{"name":"app","namespace":"team","generation":{}}},
    "spec":{{"dependsOn":[{{"name":"base"}},{{"name":"infra","namespace":"platform"}},{{"name":""}},{{}}]}},
    "status":{{"observedGeneration":{},"conditions":[{{"type":"Ready","status":"{}","reason":"{}"}}]}}}})",
                         generation, observed, ready, reason));
}
}  // namespace

TEST_CASE("dependencies: keys default to the object's namespace, and nameless entries are skipped", "[dependencies]") {
  CHECK(dependency_keys(repo(1, 1, "True", "Succeeded")) == std::vector<std::string>{"team/base", "platform/infra"});
  CHECK(dependency_keys(doc(R"({"metadata":{"name":"x"}})")).empty());
  CHECK(dependency_keys(doc(R"({"spec":{"dependsOn":"base"}})")).empty());
}

TEST_CASE("dependencies: ready for dependents means Ready at the current generation", "[dependencies]") {
  CHECK(ready_for_dependents(repo(2, 2, "True", "Succeeded")));
  CHECK_FALSE(ready_for_dependents(repo(3, 2, "True", "Succeeded")));  // a new spec not reconciled yet
  CHECK_FALSE(ready_for_dependents(repo(2, 2, "False", "GitFailed")));
  CHECK_FALSE(ready_for_dependents(doc(R"({"metadata":{"generation":1},"status":{"observedGeneration":1}})")));
  CHECK(waiting_on_dependency(repo(1, 1, "False", "DependencyNotReady")));
  CHECK_FALSE(waiting_on_dependency(repo(1, 1, "False", "GitFailed")));
  CHECK_FALSE(waiting_on_dependency(doc("{}")));
}

TEST_CASE("dependencies: the index follows each dependent's latest dependsOn", "[dependencies]") {
  dependency_index index;
  index.update("team/app", {"team/base", "platform/infra"});
  index.update("team/web", {"team/base"});
  CHECK(index.dependents_of("team/base") == std::vector<std::string>{"team/app", "team/web"});
  CHECK(index.dependents_of("platform/infra") == std::vector<std::string>{"team/app"});
  index.update("team/app", {"team/base"});  // no longer on infra
  CHECK(index.dependents_of("platform/infra").empty());
  index.remove("team/web");
  CHECK(index.dependents_of("team/base") == std::vector<std::string>{"team/app"});
  index.remove("team/app");
  CHECK(index.tracked() == 0);
  CHECK(index.dependents_of("nobody").empty());
}
