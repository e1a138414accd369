#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/same_object.hpp"

#include <catch2/catch.hpp>

using gitopsd::kube::same_object;

namespace {
rapidjson::Document doc(std::string_view text) { return gitopsd::json::parse(text).value(); }
}  // namespace

TEST_CASE("a dry run that changes only what every write changes is the same object", "[same_object]") {
  auto live = doc(R"({"metadata":{"name":"a","resourceVersion":"1","generation":1,"managedFields":[{"manager":"x"}],
    "labels":{"l":"v"}},"data":{"k":"v"}})");
  auto dry = doc(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"2","generation":2,
    "managedFields":[{"manager":"gitopsd"}],"labels":{"l":"v"}},"data":{"k":"v"}})");
  CHECK(same_object(live, dry));
  CHECK(same_object(dry, live));
}

TEST_CASE("any other difference is a change", "[same_object]") {
  auto live = doc(R"({"metadata":{"name":"a","labels":{"l":"v"}},"data":{"k":"v"}})");
  CHECK_FALSE(same_object(live, doc(R"({"metadata":{"name":"a","labels":{"l":"w"}},"data":{"k":"v"}})")));
  CHECK_FALSE(same_object(live, doc(R"({"metadata":{"name":"a","labels":{"l":"v"}},"data":{"k":"w"}})")));
  CHECK_FALSE(same_object(live, doc(R"({"metadata":{"name":"a","labels":{"l":"v"}}})")));  // a member gone
  CHECK_FALSE(same_object(live, doc(R"({"metadata":{"name":"a","labels":{"l":"v"},"annotations":{}},"data":{"k":"v"}})")));
  CHECK_FALSE(same_object(live, doc(R"({"metadata":{"name":"a","labels":{"l":"v"}},"data":{"k":"v"},"extra":1})")));
  CHECK_FALSE(same_object(live, doc(R"([1])")));
}
