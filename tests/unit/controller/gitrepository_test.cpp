#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace std::chrono_literals;
using namespace gitopsd;
using namespace gitopsd::controller;

namespace {
result<gitrepository> parse(std::string_view spec, std::string_view extra = "") {
  std::string text = fmt::format(R"({{"apiVersion":"gitopsd.io/v1alpha1","kind":"GitRepository",
    "metadata":{{"name":"app","namespace":"team","generation":3,"uid":"u1"}},"spec":{}{}}})", spec, extra);
  return parse_gitrepository(json::parse(text).value());
}

std::string error_of(std::string_view spec) {
  auto r = parse(spec);
  REQUIRE(r.has_error());
  return r.error().what();
}
}  // namespace

TEST_CASE("a minimal GitRepository gets safe defaults", "[gitrepository]") {
  auto r = parse(R"({"url":"https://git.example/app.git","interval":"1m"})").value();
  CHECK(r.key() == "team/app");
  CHECK(r.generation == 3);
  CHECK(r.spec.ref.kind == source_ref::type::branch);
  CHECK(r.spec.ref.value == "main");
  CHECK(r.spec.interval == 1min);
  CHECK(r.spec.timeout == 5min);
  CHECK_FALSE(r.spec.prune);
  CHECK_FALSE(r.spec.suspend);
  CHECK(r.inventory.empty());
}

TEST_CASE("every spec field is read", "[gitrepository]") {
  auto r = parse(R"({"url":"git@github.com:org/repo","interval":"10m","timeout":"90s","retryInterval":"30s",
    "ref":{"commit":"0123456789abcdef0123456789abcdef01234567","branch":"release"},"path":"deploy/prod",
    "secretRef":{"name":"creds"},"targetNamespace":"web","prune":true,"wait":true,"suspend":true,
    "serviceAccountName":"deployer","dependsOn":[{"name":"infra"},{"name":"crds","namespace":"system"}]})",
                 R"(,"status":{"observedGeneration":2,"lastAppliedRevision":"main@sha1:abc",
    "lastHandledReconcileAt":"t1","conditions":[{"type":"Ready","status":"True"}],
    "inventory":{"entries":[{"id":"web_a__ConfigMap","v":"v1"}]}})")
               .value();
  CHECK(r.spec.ref.kind == source_ref::type::commit);
  CHECK(r.spec.ref.branch == "release");
  CHECK(r.spec.path == "deploy/prod");
  CHECK(r.spec.timeout == 90s);
  CHECK(r.spec.retry_interval == 30s);
  CHECK(r.spec.secret_name == "creds");
  CHECK(r.spec.target_namespace == "web");
  CHECK((r.spec.prune && r.spec.wait && r.spec.suspend));
  CHECK(r.spec.service_account == "deployer");
  REQUIRE(r.spec.depends_on.size() == 2);
  CHECK(r.spec.depends_on[0].namespace_ == "team");
  CHECK(r.spec.depends_on[1].namespace_ == "system");
  CHECK(r.observed_generation == 2);
  CHECK(r.last_applied_revision == "main@sha1:abc");
  CHECK(r.handled_requested_at == "t1");
  CHECK(r.ready_status == "True");
  REQUIRE(r.inventory.size() == 1);
}

TEST_CASE("ref kinds", "[gitrepository]") {
  CHECK(parse(R"({"url":"https://h/r","interval":"1m","ref":{"tag":"v1.2.0"}})").value().spec.ref.kind ==
        source_ref::type::tag);
  CHECK(parse(R"({"url":"https://h/r","interval":"1m","ref":{"semver":">=1.0.0"}})").value().spec.ref.value == ">=1.0.0");
  CHECK(parse(R"({"url":"https://h/r","interval":"1m","ref":{"branch":"dev"}})").value().spec.ref.value == "dev");
}

TEST_CASE("invalid specs are refused with the object and field named", "[gitrepository]") {
  CHECK(error_of(R"({"interval":"1m"})") == "GitRepository team/app: spec.url is required");
  CHECK_THAT(error_of(R"({"url":"ftp://h/r","interval":"1m"})"), Catch::Contains("spec.url \"ftp://h/r\" is not"));
  CHECK(error_of(R"({"url":"https://h/r"})") == "GitRepository team/app: spec.interval is required");
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"5d"})"), Catch::Contains("spec.interval invalid duration"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"0s"})"), Catch::Contains("must be positive"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"2562047h"})"), Catch::Contains("spec.interval") && Catch::Contains("at most 8760h"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","timeout":"8761h"})"), Catch::Contains("spec.timeout must be at most 8760h"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","timeout":3})"), Catch::Contains("spec.timeout must be a string"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","ref":{"tag":"a","branch":"b"}})"),
             Catch::Contains("more than one"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","ref":{"commit":"abc"}})"), Catch::Contains("spec.ref.commit"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","ref":{"tag":""}})"), Catch::Contains("spec.ref.tag"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","path":"a/../../etc"})"), Catch::Contains("leaves the repository"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","path":"/etc"})"), Catch::Contains("spec.path"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","prune":"yes"})"), Catch::Contains("spec.prune must be true or false"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","secretRef":{}})"), Catch::Contains("spec.secretRef.name"));
  CHECK_THAT(error_of(R"({"url":"https://h/r","interval":"1m","dependsOn":[{}]})"), Catch::Contains("spec.dependsOn[].name"));
  CHECK(parse(R"({"url":"https://h/r","interval":"1m","path":"a..b/c"})").has_value());
}

TEST_CASE("a corrupt inventory entry is kept aside, not a failure to read the object", "[gitrepository]") {
  auto r = parse(R"({"url":"https://h/r","interval":"1m"})",
                 R"(,"status":{"inventory":{"entries":[{"id":"x","v":"v1"},{"id":"ns_a__ConfigMap","v":"v1"},{"v":"v1"}]}})");
  REQUIRE(r.has_value());
  REQUIRE(r->inventory.size() == 1);
  CHECK(r->inventory[0].id == "ns_a__ConfigMap");
  CHECK(r->unreadable_inventory == std::vector<std::string>{"x", "(an entry without id or v)"});
  auto not_a_list = parse(R"({"url":"https://h/r","interval":"1m"})", R"(,"status":{"inventory":{"entries":7}})");
  REQUIRE(not_a_list.has_value());
  CHECK(not_a_list->inventory_problem == "status.inventory.entries is not a list");
}

TEST_CASE("an inventory id of a name holding '_' is read", "[gitrepository]") {
  auto r = parse(R"({"url":"https://h/r","interval":"1m"})",
                 R"(,"status":{"inventory":{"entries":[{"id":"_team_admin_rbac.authorization.k8s.io_ClusterRole","v":"v1"}]}})");
  REQUIRE(r.has_value());
  REQUIRE(r->inventory.size() == 1);
  CHECK(r->unreadable_inventory.empty());
}

TEST_CASE("a huge or odd URL is a clear error, quickly", "[gitrepository]") {
  std::string long_url = "https://example.com/" + std::string(40000, 'a');
  auto message = error_of(fmt::format(R"({{"url":"{}","interval":"1m"}})", long_url));
  CHECK_THAT(message, Catch::Contains("spec.url is 40020 characters long; at most 4096 are allowed"));
  CHECK(message.size() < 200);
  // Not a URL, as long as the limit allows: refused by plain parsing, in linear time.
  std::string junk(40000, '@');
  CHECK_THAT(error_of(fmt::format(R"({{"url":"{}","interval":"1m"}})", junk.substr(0, 4000))),
             Catch::Contains("is not an http(s), ssh or file URL"));
  for (const char* bad : {"git@host", "@host:path", "us er@host:path", "git@ho/st:path", "git@host:", "https://"})
    CHECK_THAT(error_of(fmt::format(R"({{"url":"{}","interval":"1m"}})", bad)), Catch::Contains("spec.url"));
  for (const char* good : {"git@github.com:org/repo", "ssh://git@h/r", "http://h/r", "file:///srv/r"})
    CHECK(parse(fmt::format(R"({{"url":"{}","interval":"1m"}})", good)).has_value());
  // A password in a URL that does not parse is not echoed.
  CHECK_THAT(error_of(R"({"url":"ftp://bob:s3/cret@h/r","interval":"1m"})"), !Catch::Contains("s3/cret"));
}

TEST_CASE("metadata, status and what deletion needs are read whatever the spec holds", "[gitrepository]") {
  auto doc = json::parse(R"({"metadata":{"name":"a","namespace":"n","deletionTimestamp":"t","resourceVersion":"9",
    "finalizers":["other/x","gitopsd.io/finalizer"]},
    "spec":{"url":7,"interval":"0s","suspend":true,"serviceAccountName":"tenant"},
    "status":{"inventory":{"entries":[{"id":"n_a__ConfigMap","v":"v1"}]}}})").value();
  CHECK_FALSE(parse_gitrepository(doc).has_value());
  auto r = read_gitrepository_metadata(doc);
  CHECK(r.deleting);
  CHECK(r.has_finalizer);
  CHECK(r.spec.suspend);
  CHECK(r.spec.service_account == "tenant");
  CHECK(r.resource_version == "9");
  REQUIRE(r.inventory.size() == 1);
}

TEST_CASE("finalizer, deletion and requestedAt are read from metadata", "[gitrepository]") {
  auto r = parse_gitrepository(json::parse(R"({"metadata":{"name":"a","namespace":"n","deletionTimestamp":"t",
    "finalizers":["gitopsd.io/finalizer"],"annotations":{"gitopsd.io/requestedAt":"now"}},
    "spec":{"url":"https://h/r","interval":"1m"}})").value()).value();
  CHECK(r.deleting);
  CHECK(r.has_finalizer);
  CHECK(r.requested_at == "now");
}

TEST_CASE("adopt and allowEmpty are off unless set, and must be booleans", "[gitrepository]") {
  auto plain = parse(R"({"url":"https://git.example/app.git","interval":"1m"})").value();
  CHECK_FALSE(plain.spec.adopt);
  CHECK_FALSE(plain.spec.allow_empty);
  auto set = parse(R"({"url":"https://git.example/app.git","interval":"1m","adopt":true,"allowEmpty":true})").value();
  CHECK(set.spec.adopt);
  CHECK(set.spec.allow_empty);
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","adopt":"yes"})") ==
        "GitRepository team/app: spec.adopt must be true or false");
}

TEST_CASE("a name longer than 63 characters is refused: it is a label value", "[gitrepository]") {
  std::string name(64, 'a');
  auto doc = json::parse(fmt::format(R"({{"metadata":{{"name":"{}","namespace":"n"}},"spec":{{"url":"https://h/r","interval":"1m"}}}})", name)).value();
  auto r = parse_gitrepository(doc);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().what(), Catch::Contains("metadata.name is 64 characters long; at most 63"));
}

TEST_CASE("spec.verify is read, and a bad mode, a Tag mode without a tag ref and a missing Secret are named", "[gitrepository]") {
  auto none = parse(R"({"url":"https://git.example/app.git","interval":"1m"})").value();
  CHECK_FALSE(none.spec.verify.has_value());

  auto head = parse(R"({"url":"https://git.example/app.git","interval":"1m","verify":{"secretRef":{"name":"keys"}}})").value();
  REQUIRE(head.spec.verify.has_value());
  CHECK(head.spec.verify->mode == verify::mode::head);
  CHECK(head.spec.verify->secret_name == "keys");

  auto tag = parse(R"({"url":"https://git.example/app.git","interval":"1m","ref":{"semver":">=1.0.0"},
    "verify":{"mode":"TagAndHEAD","secretRef":{"name":"keys"}}})").value();
  CHECK(tag.spec.verify->mode == verify::mode::tag_and_head);

  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","verify":{"mode":"Commit","secretRef":{"name":"k"}}})") ==
        "GitRepository team/app: spec.verify.mode must be HEAD, Tag or TagAndHEAD, not \"Commit\"");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","verify":{"mode":"Tag","secretRef":{"name":"k"}}})") ==
        "GitRepository team/app: spec.verify.mode Tag needs ref.tag or ref.semver (the tag to verify)");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","verify":{"mode":"HEAD"}})") ==
        "GitRepository team/app: spec.verify.secretRef.name is required (the Secret holding the public keys)");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","verify":"yes"})") ==
        "GitRepository team/app: spec.verify must be an object");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","verify":{"mode":7,"secretRef":{"name":"k"}}})") ==
        "GitRepository team/app: spec.verify.mode must be HEAD, Tag or TagAndHEAD, not a non-string");
}

TEST_CASE("spec.decryption is read, and another provider or a missing Secret are named", "[gitrepository]") {
  auto none = parse(R"({"url":"https://git.example/app.git","interval":"1m","decryption":null})").value();
  CHECK_FALSE(none.spec.decryption.has_value());
  auto sops = parse(R"({"url":"https://git.example/app.git","interval":"1m",
    "decryption":{"provider":"sops","secretRef":{"name":"sops-keys"}}})").value();
  REQUIRE(sops.spec.decryption.has_value());
  CHECK(sops.spec.decryption->secret_name == "sops-keys");

  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","decryption":{"provider":"vault","secretRef":{"name":"k"}}})") ==
        "GitRepository team/app: spec.decryption.provider must be sops, not \"vault\"");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","decryption":{"secretRef":{"name":"k"}}})") ==
        "GitRepository team/app: spec.decryption.provider must be sops");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","decryption":{"provider":"sops"}})") ==
        "GitRepository team/app: spec.decryption.secretRef.name is required (the Secret holding the private keys)");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","decryption":{"provider":"sops","secretRef":{"name":""}}})") ==
        "GitRepository team/app: spec.decryption.secretRef.name is required (the Secret holding the private keys)");
  CHECK(error_of(fmt::format(R"({{"url":"https://git.example/app.git","interval":"1m","decryption":{{"provider":"sops","secretRef":{{"name":"{}"}}}}}})",
                             std::string(254, 'k'))) ==
        "GitRepository team/app: spec.decryption.secretRef.name is longer than 253 characters");
  CHECK(error_of(R"({"url":"https://git.example/app.git","interval":"1m","decryption":"sops"})") ==
        "GitRepository team/app: spec.decryption must be an object");
}
