#include "../../../src/core/json_zero_exponent.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"

#include <catch2/catch.hpp>

using gitopsd::json::detail::zero_exponents_as_zero;

TEST_CASE("zero with an exponent is written as zero before RapidJSON reads it", "[yaml][json]") {
  CHECK(zero_exponents_as_zero(R"({"a": 0e52, "b": [-0E+5, 0.00e-400], "c": "0e52"})") ==
        std::string(R"({"a": 0.0 , "b": [-0.0 , 0.0      ], "c": "0e52"})"));
  CHECK(zero_exponents_as_zero("0e1") == std::string("0.0"));
  CHECK(zero_exponents_as_zero("-0e1") == std::string("-0.0"));
  CHECK(zero_exponents_as_zero("[0e1]\n{\"b\": 1}\n") == std::string("[0.0]"));
  // Not such a number, or not valid JSON: left for RapidJSON as it is.
  for (const char* same : {R"({"a": 1e52, "b": 0.5e3, "c": 0, "d": -0.0, "e": 10e5})", R"({"a": 00e5})", R"({"a": 0e})",
                           R"({"a": 0.e5})", R"({"a": "\"0e5"})", "0", "true"})
    CHECK_FALSE(zero_exponents_as_zero(same).has_value());
  // More number characters after one (found by the kustomization fuzzer): still an error, without
  // RapidJSON normalising a zero.
  CHECK(zero_exponents_as_zero(R"({"a": 0e5e5})") == std::string(R"({"a": 0.0xx})"));
  CHECK(zero_exponents_as_zero("0e-224eeee1") == std::string("0.0xxxxxxxx"));
  CHECK_FALSE(gitopsd::render::decode_documents("{}{}0e-224eeeeeeee1150767", "z.json").has_value());
  // Only the first value: YAML after it keeps 0e5 as a string.
  CHECK_FALSE(zero_exponents_as_zero("{\"a\": 1}\nb: 0e5\n").has_value());
}

TEST_CASE("a JSON file with 0e52 decodes it as zero", "[yaml][json]") {
  auto docs = gitopsd::render::decode_documents(R"({"spec": {"replicas": 0e52, "x": -0e3}} {"b": 0e1})", "z.json");
  REQUIRE(docs.has_value());
  REQUIRE(docs->size() == 2);
  CHECK((*docs)[1]["b"].GetDouble() == 0.0);
  const auto& spec = (*docs)[0]["spec"];
  CHECK(spec["replicas"].IsNumber());
  CHECK(spec["replicas"].GetDouble() == 0.0);
  CHECK(spec["x"].GetDouble() == 0.0);
}

TEST_CASE("a zero with a long fraction is written as zero too", "[yaml][json]") {
  // 0.(23 zeros) takes RapidJSON past its fast path to the same clz(0) (found by the kustomization fuzzer).
  std::string long_zero = "0." + std::string(23, '0');
  CHECK(zero_exponents_as_zero("[" + long_zero + "]") == "[0.0" + std::string(long_zero.size() - 3, ' ') + "]");
  CHECK_FALSE(zero_exponents_as_zero("[0.000000000000000]").has_value());  // 15 zeros: its fast path
  CHECK_FALSE(zero_exponents_as_zero("[0." + std::string(23, '0') + "1]").has_value());  // not zero
  auto docs = gitopsd::render::decode_documents("{\"a\": [" + long_zero + "]}", "z.json");
  REQUIRE(docs.has_value());
  CHECK((*docs)[0]["a"][0].GetDouble() == 0.0);
}

TEST_CASE("JSON from the network gets the same rewrite, and the text after the number stays", "[json]") {
  // A webhook body or an API response (found by the json fuzzer: `0e81~`).
  CHECK_FALSE(gitopsd::json::parse("0e81~").has_value());
  auto zero = gitopsd::json::parse(R"({"a": 0e81, "b": [0.)" + std::string(30, '0') + R"(], "c": "x"})");
  REQUIRE(zero.has_value());
  CHECK((*zero)["a"].GetDouble() == 0.0);
  CHECK((*zero)["b"][0].GetDouble() == 0.0);
  CHECK(std::string((*zero)["c"].GetString()) == "x");
  CHECK(gitopsd::json::parse("-0E5").value().GetDouble() == 0.0);
}
