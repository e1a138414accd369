#include "gitopsd/controller/webhook_target.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::controller;

namespace {
rapidjson::Document doc(std::string_view text) { return json::parse(text).value(); }

rapidjson::Document repo(std::string_view url, std::string_view webhook = "") {
  std::string text = R"({"spec":{"url":")" + std::string(url) + "\"";
  if (!webhook.empty()) text += R"(,"webhook":)" + std::string(webhook);
  return doc(text + "}}");
}
}  // namespace

TEST_CASE("a GitRepository opts in with spec.webhook.secretRef.name", "[webhook]") {
  CHECK(webhook_secret_name(repo("https://g/x", R"({"secretRef":{"name":"hook"}})")) == "hook");
  CHECK_FALSE(webhook_secret_name(repo("https://g/x")));
  CHECK_FALSE(webhook_secret_name(repo("https://g/x", R"({})")));
  CHECK_FALSE(webhook_secret_name(repo("https://g/x", R"({"secretRef":{}})")));
  CHECK_FALSE(webhook_secret_name(repo("https://g/x", R"({"secretRef":{"name":""}})")));
  CHECK_FALSE(webhook_secret_name(repo("https://g/x", R"({"secretRef":{"name":7}})")));
  CHECK_FALSE(webhook_secret_name(repo("https://g/x", R"("hook")")));
}

TEST_CASE("the webhook token is the Secret's key token", "[webhook]") {
  CHECK(webhook_token_of(doc(R"({"data":{"token":"czNjcmV0"}})")) == "s3cret");
  CHECK_FALSE(webhook_token_of(doc(R"({"data":{"password":"czNjcmV0"}})")));
  CHECK_FALSE(webhook_token_of(doc(R"({"data":{"token":""}})")));     // empty: not a credential
  CHECK_FALSE(webhook_token_of(doc(R"({"data":{"token":"%%%"}})")));  // not base64
  CHECK_FALSE(webhook_token_of(doc(R"({"data":{"token":5}})")));
  CHECK_FALSE(webhook_token_of(doc(R"({})")));
}

TEST_CASE("a webhook reconciles every GitRepository of the same repository", "[webhook]") {
  std::map<std::string, rapidjson::Document> objects;
  objects["a/web"] = repo("https://git.example/org/app.git");
  objects["b/api"] = repo("https://deploy@git.example:443/org/app");  // same repository, other spelling
  objects["c/other"] = repo("https://git.example/org/other.git");
  objects["d/broken"] = doc(R"({"spec":{}})");
  auto keys = same_url_keys(objects, "a/web");
  CHECK(keys == std::vector<std::string>{"a/web", "b/api"});
  CHECK(same_url_keys(objects, "c/other") == std::vector<std::string>{"c/other"});
  CHECK(same_url_keys(objects, "d/broken") == std::vector<std::string>{"d/broken"});
  CHECK(same_url_keys(objects, "x/missing").empty());
}
