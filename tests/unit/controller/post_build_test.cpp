#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/controller/substitution_inputs.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace gitopsd;
using namespace gitopsd::controller;

namespace {

result<gitrepository> parse_with(std::string_view extra) {
  std::string text = fmt::format(R"({{"apiVersion":"gitopsd.io/v1alpha1","kind":"GitRepository",
    "metadata":{{"name":"app","namespace":"team"}},"spec":{{"url":"https://git.example/a.git","interval":"1m"{}}}}})", extra);
  return parse_gitrepository(json::parse(text).value());
}

std::string error_with(std::string_view extra) {
  auto r = parse_with(extra);
  REQUIRE(r.has_error());
  return r.error().what();
}

rapidjson::Document object(std::string_view text) { return json::parse(text).value(); }

}  // namespace

TEST_CASE("spec.postBuild and spec.ignore are read", "[gitrepository]") {
  auto r = parse_with(R"(,"ignore":"*.txt\n","postBuild":{"substitute":{"A":"1\n2"},"strict":true,
    "substituteFrom":[{"kind":"ConfigMap","name":"vars"},{"kind":"Secret","name":"s","optional":true}]})");
  REQUIRE(r.has_value());
  CHECK(r->spec.ignore == std::optional<std::string>("*.txt\n"));
  const auto& p = r->spec.post_build;
  CHECK(p.strict);
  CHECK(p.substitute.at("A") == "12");  // line breaks removed, as Flux does
  REQUIRE(p.substitute_from.size() == 2);
  CHECK(p.substitute_from[0].kind == "ConfigMap");
  CHECK_FALSE(p.substitute_from[0].optional);
  CHECK(p.substitute_from[1].optional);
  auto plain = parse_with("");
  REQUIRE(plain.has_value());
  CHECK_FALSE(plain->spec.ignore.has_value());
  CHECK(plain->spec.post_build.substitute_from.empty());
}

TEST_CASE("invalid spec.postBuild is refused with the field named", "[gitrepository]") {
  CHECK_THAT(error_with(R"(,"postBuild":[])"), Catch::Contains("spec.postBuild must be an object"));
  CHECK_THAT(error_with(R"(,"postBuild":{"substitute":{"a-b":"x"}})"), Catch::Contains("'a-b' var name is invalid"));
  CHECK_THAT(error_with(R"(,"postBuild":{"substitute":{"A":1}})"), Catch::Contains("spec.postBuild.substitute.A must be a string"));
  CHECK_THAT(error_with(R"(,"postBuild":{"substituteFrom":[{"kind":"Pod","name":"x"}]})"),
             Catch::Contains("must be ConfigMap or Secret"));
  CHECK_THAT(error_with(R"(,"postBuild":{"substituteFrom":[{"kind":"Secret"}]})"),
             Catch::Contains("substituteFrom[].name is required"));
  CHECK_THAT(error_with(R"(,"postBuild":{"substituteFrom":{}})"), Catch::Contains("must be a list"));
  CHECK_THAT(error_with(R"(,"postBuild":{"strict":"yes"})"), Catch::Contains("spec.postBuild.strict must be true or false"));
  CHECK_THAT(error_with(R"(,"ignore":5)"), Catch::Contains("spec.ignore must be a string"));
}

TEST_CASE("substitution inputs: later entries win, substitute last: Secrets decoded", "[gitrepository]") {
  post_build_spec spec;
  spec.substitute_from = {{"ConfigMap", "first"}, {"Secret", "second"}, {"ConfigMap", "gone", true}};
  spec.substitute = {{"C", "inline"}};
  spec.strict = true;
  std::vector<substitute_input> inputs;
  inputs.emplace_back(object(R"({"data":{"A":"cm","B":"cm","C":"cm","L":"x\ny\n"},"binaryData":{"Z":"eA=="}})"));
  // "secret" and "s3cr3t" base64-encoded.
  inputs.emplace_back(object(R"({"data":{"B":"c2VjcmV0","S":"czNjcjN0"}})"));
  inputs.emplace_back(std::nullopt);
  auto s = merge_substitution(spec, inputs);
  REQUIRE(s.has_value());
  CHECK(s->strict);
  CHECK(s->vars == render::variables{{"A", "cm"}, {"B", "secret"}, {"C", "inline"}, {"L", "xy"}, {"S", "s3cr3t"}});
}

TEST_CASE("substitution inputs: errors name the object and key, never a Secret's value", "[gitrepository]") {
  post_build_spec spec;
  spec.substitute_from = {{"Secret", "creds"}};
  std::vector<substitute_input> inputs;
  inputs.emplace_back(object(R"({"data":{"password":"not base64 s3cr3t!"}})"));
  auto s = merge_substitution(spec, inputs);
  REQUIRE(s.has_error());
  CHECK(s.error().what() == "postBuild.substituteFrom Secret creds: data.password is not valid base64");
  CHECK_THAT(s.error().what(), !Catch::Contains("s3cr3t"));
}
