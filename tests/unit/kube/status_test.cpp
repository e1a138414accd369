#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/status.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;
using namespace gitopsd::kube;

TEST_CASE("a NotFound Status names the object and quotes the server", "[status]") {
  std::string body =
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"configmaps \"web\" not found","reason":"NotFound","details":{"name":"web","kind":"configmaps"},"code":404})";
  auto s = parse_status(body);
  REQUIRE(s);
  CHECK(s->reason == "NotFound");
  CHECK(s->code == 404);
  error e = status_error(404, body, "get ConfigMap/default/web");
  CHECK(e.code == errc::not_found);
  CHECK(e.what() == "get ConfigMap/default/web: not found (HTTP 404): \"configmaps \"web\" not found\"");
}

TEST_CASE("Invalid keeps the field causes the message does not already list", "[status]") {
  std::string body = R"({"kind":"Status","status":"Failure","reason":"Invalid","code":422,
    "message":"ConfigMap \"x\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters",
    "details":{"causes":[
      {"reason":"FieldValueInvalid","message":"Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters","field":"data[bad key]"},
      {"reason":"FieldValueRequired","message":"Required value","field":"metadata.labels"}]}})";
  auto s = parse_status(body);
  REQUIRE(s);
  REQUIRE(s->causes.size() == 2);
  CHECK(s->causes[0].field == "data[bad key]");
  CHECK(s->causes[1].type == "FieldValueRequired");
  error e = status_error(422, body, "apply ConfigMap/ns/x");
  CHECK(e.code == errc::invalid);
  CHECK(e.what().starts_with("apply ConfigMap/ns/x: invalid (HTTP 422): \"ConfigMap \"x\" is invalid: data[bad key]"));
  CHECK(e.what().ends_with("; causes: metadata.labels: Required value"));
}

TEST_CASE("reasons win over HTTP codes - unknown codes fall back by class", "[status]") {
  CHECK(errc_for(409, "AlreadyExists") == errc::already_exists);
  CHECK(errc_for(409, "Conflict") == errc::conflict);
  CHECK(errc_for(409, "") == errc::conflict);
  CHECK(errc_for(410, "Expired") == errc::gone);
  CHECK(errc_for(410, "") == errc::gone);
  CHECK(errc_for(504, "Timeout") == errc::server_timeout);
  CHECK(errc_for(500, "ServerTimeout") == errc::server_timeout);
  CHECK(errc_for(429, "") == errc::too_many_requests);
  CHECK(errc_for(401, "") == errc::unauthorized);
  CHECK(errc_for(403, "Forbidden") == errc::forbidden);
  CHECK(errc_for(502, "") == errc::internal_error);
  CHECK(errc_for(418, "") == errc::unexpected_status);
}

TEST_CASE("a body that is not a Status is quoted briefly, on one line", "[status]") {
  error e = status_error(502, "<html>\nBad gateway\n</html>", "list Pod");
  CHECK(e.code == errc::internal_error);
  CHECK(e.what() == "list Pod: internal server error (HTTP 502): \"<html> Bad gateway </html>\"");
  CHECK_FALSE(parse_status("{\"kind\":\"ConfigMap\"}"));
  CHECK_FALSE(parse_status("not json"));
}

TEST_CASE("only throttling, server errors and connection failures are retriable", "[status]") {
  CHECK(is_retriable(errc::too_many_requests));
  CHECK(is_retriable(errc::service_unavailable));
  CHECK(is_retriable(errc::internal_error));
  CHECK(is_retriable(errc::server_timeout));
  CHECK(is_retriable(errc::transport_failed));
  CHECK_FALSE(is_retriable(errc::invalid));
  CHECK_FALSE(is_retriable(errc::forbidden));
  CHECK_FALSE(is_retriable(errc::not_found));
  CHECK_FALSE(is_retriable(errc::conflict));
  CHECK_FALSE(is_retriable(errc::request_timeout));
  CHECK_FALSE(is_retriable(errc::cancelled));
  CHECK_FALSE(is_retriable(boost::system::error_code(5, boost::system::generic_category())));
}

TEST_CASE("a server-side apply type error is Invalid, not a retriable 500", "[status]") {
  auto e = status_error(500, R"({"kind":"Status","status":"Failure","reason":"InternalError","code":500,
    "message":"failed to create typed patch object (ns/web; apps/v1, Kind=Deployment): .spec.replicas: expected numeric (int or float), got string"})",
                        "apply Deployment/ns/web");
  CHECK(e.code == errc::invalid);
  CHECK_FALSE(is_retriable(e.code));
  CHECK_THAT(e.what(), Catch::Contains(".spec.replicas: expected numeric"));
  CHECK(status_error(500, R"({"kind":"Status","reason":"InternalError","message":"etcd is down"})", "x").code ==
        errc::internal_error);
}

TEST_CASE("a failed write of a Secret does not quote the server's message, which may hold its values", "[status]") {
  constexpr const char* type_error = R"({"kind":"Status","status":"Failure","reason":"InternalError","code":500,
    "message":"failed to create typed patch object (ns/pin; /v1, Kind=Secret): .stringData.pin: expected string, got &value.valueUnstructured{Value:123456}"})";
  auto e = status_error(500, type_error, "apply Secret/ns/pin", true);
  CHECK(e.code == errc::invalid);
  CHECK(e.what().find("123456") == std::string::npos);
  CHECK_THAT(e.what(), Catch::StartsWith("apply Secret/ns/pin: invalid (HTTP 500): the API server's message is not shown"));
  CHECK_THAT(e.what(), Catch::Contains("wrong type"));
  auto invalid = status_error(422, R"({"kind":"Status","reason":"Invalid","code":422,"message":"Secret \"db\" is invalid: data[k]: Invalid value: \"hunter2\"",
    "details":{"causes":[{"reason":"FieldValueInvalid","message":"Invalid value: \"hunter2\"","field":"data[k]"}]}})",
                              "apply Secret/ns/db", true);
  CHECK(invalid.what().find("hunter2") == std::string::npos);
  CHECK_THAT(invalid.what(), Catch::EndsWith("; fields: data[k]"));
  // Access and conflicts name no values: their messages stay.
  auto forbidden = status_error(403, R"({"kind":"Status","reason":"Forbidden","code":403,"message":"secrets \"db\" is forbidden: User \"u\" cannot patch"})",
                                "apply Secret/ns/db", true);
  CHECK_THAT(forbidden.what(), Catch::Contains("cannot patch"));
  // Not a Secret: the message is quoted as before.
  CHECK_THAT(status_error(500, type_error, "apply ConfigMap/ns/pin").what(), Catch::Contains("expected string"));
}

TEST_CASE("Secret paths are told apart from other resources", "[status]") {
  CHECK(is_secret_path("/api/v1/namespaces/ns/secrets/db"));
  CHECK(is_secret_path("/api/v1/namespaces/ns/secrets/db?fieldManager=gitopsd&dryRun=All"));
  CHECK(is_secret_path("/api/v1/namespaces/ns/secrets"));
  CHECK(is_secret_path("/api/v1/secrets"));
  CHECK_FALSE(is_secret_path("/api/v1/namespaces/secrets"));  // the Namespace named "secrets"
  CHECK_FALSE(is_secret_path("/api/v1/namespaces/secrets/configmaps/x"));
  CHECK_FALSE(is_secret_path("/api/v1/namespaces/ns/configmaps/secrets"));
  CHECK_FALSE(is_secret_path("/apis/example.com/v1/namespaces/ns/secrets/x"));
  CHECK_FALSE(is_secret_path("/api/v1/namespaces/ns/secretsx/db"));
}
