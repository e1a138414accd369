#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

TEST_CASE("json lookups follow keys and check types", "[json]") {
  auto doc = json::parse(R"({"a":{"b":"text","n":42,"t":true},"list":[1]})").value();
  CHECK(json::get_string(doc, "a", "b") == "text");
  CHECK(json::get_int(doc, "a", "n") == 42);
  CHECK(json::get_bool(doc, "a", "t") == true);
  CHECK_FALSE(json::get_string(doc, "a", "n"));
  CHECK_FALSE(json::get_string(doc, "a", "missing"));
  CHECK_FALSE(json::get_string(doc, "list", "x"));
  CHECK(json::find(doc, "list") != nullptr);
}

TEST_CASE("json edits and serialization", "[json]") {
  auto doc = json::parse(R"({"metadata":{"name":"x"}})").value();
  auto& labels = json::ensure_object(doc["metadata"], "labels", doc.GetAllocator());
  json::set_string(labels, "app", "web", doc.GetAllocator());
  json::set_string(labels, "app", "api", doc.GetAllocator());
  CHECK(json::serialize(doc) == R"({"metadata":{"name":"x","labels":{"app":"api"}}})");
  CHECK(json::serialize_pretty(doc).find("\n  \"metadata\"") != std::string::npos);
}

TEST_CASE("invalid json reports where", "[json]") {
  auto r = json::parse(R"({"a": })");
  REQUIRE(r.has_error());
  CHECK(r.error().code == core::errc::invalid_json);
  CHECK_THAT(r.error().what(), Catch::Contains("offset 6"));
}

TEST_CASE("large integers keep their value", "[json]") {
  auto doc = json::parse(R"({"big":9007199254740993})").value();
  CHECK(json::get_int(doc, "big") == 9007199254740993);
}

TEST_CASE("a small document takes a small memory pool, a big one grows", "[json]") {
  auto small = gitopsd::json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a-rather-long-name"}})");
  REQUIRE(small.has_value());
  CHECK(small->GetAllocator().Capacity() <= 1024);
  std::string big = R"({"items":[)";
  for (int i = 0; i < 2000; ++i) big += (i ? ",\"" : "\"") + std::string(40, 'x') + std::to_string(i) + "\"";
  big += "]}";
  auto large = gitopsd::json::parse(big);
  REQUIRE(large.has_value());
  CHECK((*large)["items"].Size() == 2000);
  CHECK(large->GetAllocator().Capacity() >= 2000 * 40);
}
