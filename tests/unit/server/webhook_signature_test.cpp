#include "gitopsd/server/webhook_signature.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace gitopsd::server;

namespace {
// Vectors from: printf '%s' BODY | openssl dgst -sha256 -hmac TOKEN
constexpr std::string_view body = R"({"ref":"refs/heads/main"})";
constexpr std::string_view token = "s3cret-token";
constexpr std::string_view body_mac = "8aeb9225c491c1218be8c5e1add91c30ff9018bc7f702d81f0c8d5e884970ee1";
}  // namespace

TEST_CASE("HMAC-SHA256 matches openssl dgst -sha256 -hmac", "[webhook]") {
  CHECK(hmac_sha256_hex(token, body) == body_mac);
  CHECK(hmac_sha256_hex("k", "") == "8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620");
  CHECK(hmac_sha256_hex("a token with spaces", "zen") == "5753546b75319ee114c2ada7e9931d95090723f94996d80910ef1be20b04027d");
}

TEST_CASE("GitHub and generic: X-Hub-Signature-256 sha256=<hex>", "[webhook]") {
  std::string good = "sha256=" + std::string(body_mac);
  signature_headers h;
  h.hub_signature_256 = good;
  auto r = verify_signature(h, body, token);
  CHECK(r.provider == webhook_provider::github);
  CHECK(r.valid);
  // Hex digits in upper case are the same signature.
  std::string upper = "sha256=8AEB9225C491C1218BE8C5E1ADD91C30FF9018BC7F702D81F0C8D5E884970EE1";
  h.hub_signature_256 = upper;
  CHECK(verify_signature(h, body, token).valid);
  h.hub_signature_256 = good;
  CHECK_FALSE(verify_signature(h, body, "another-token").valid);
  CHECK_FALSE(verify_signature(h, std::string(body) + " ", token).valid);
  for (const std::string& bad : std::vector<std::string>{std::string(body_mac), "sha1=" + std::string(body_mac), good.substr(0, good.size() - 1),
                          good + "0", "sha256=" + std::string(64, 'z'), std::string("sha256="), std::string()}) {
    h.hub_signature_256 = bad;
    CAPTURE(bad);
    CHECK_FALSE(verify_signature(h, body, token).valid);
  }
}

TEST_CASE("Gitea and Forgejo: bare hex HMAC", "[webhook]") {
  signature_headers h;
  h.gitea_signature = body_mac;
  auto r = verify_signature(h, body, token);
  CHECK(r.provider == webhook_provider::gitea);
  CHECK(r.valid);
  std::string prefixed = "sha256=" + std::string(body_mac);
  h.gitea_signature = prefixed;
  CHECK_FALSE(verify_signature(h, body, token).valid);

  signature_headers f;
  f.forgejo_signature = body_mac;
  CHECK(verify_signature(f, body, token).provider == webhook_provider::forgejo);
  CHECK(verify_signature(f, body, token).valid);
  // Forgejo sends both headers; a bad Forgejo one is not rescued by a good Gitea one.
  f.forgejo_signature = std::string_view("0000000000000000000000000000000000000000000000000000000000000000");
  f.gitea_signature = body_mac;
  CHECK_FALSE(verify_signature(f, body, token).valid);
}

TEST_CASE("Bitbucket Server: X-Hub-Signature sha256=<hex>", "[webhook]") {
  std::string good = "sha256=" + std::string(body_mac);
  signature_headers h;
  h.hub_signature = good;
  auto r = verify_signature(h, body, token);
  CHECK(r.provider == webhook_provider::bitbucket_server);
  CHECK(r.valid);
  // GitHub's legacy SHA-1 form in the same header is not accepted.
  h.hub_signature = std::string_view("sha1=0123456789012345678901234567890123456789");
  CHECK_FALSE(verify_signature(h, body, token).valid);
}

TEST_CASE("GitLab: X-Gitlab-Token is the token itself", "[webhook]") {
  signature_headers h;
  h.gitlab_token = token;
  auto r = verify_signature(h, body, token);
  CHECK(r.provider == webhook_provider::gitlab);
  CHECK(r.valid);
  for (std::string_view bad : {"s3cret-toke", "s3cret-token ", "S3CRET-TOKEN", ""}) {
    h.gitlab_token = bad;
    CHECK_FALSE(verify_signature(h, body, token).valid);
  }
  h.gitlab_token = "";
  CHECK_FALSE(verify_signature(h, body, "").valid);  // an empty token never authenticates
}

TEST_CASE("no signature header is not valid", "[webhook]") {
  auto r = verify_signature({}, body, token);
  CHECK(r.provider == webhook_provider::none);
  CHECK_FALSE(r.valid);
}

TEST_CASE("constant-time comparison", "[webhook]") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK(constant_time_equal("", ""));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK_FALSE(constant_time_equal("", "a"));
}
