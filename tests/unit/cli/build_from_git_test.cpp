#include "gitopsd/cli/build_from_git.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using namespace gitopsd;

namespace {
std::string write_temp(const std::string& text) {
  char name[] = "/tmp/gitopsd-secret-XXXXXX";
  int fd = mkstemp(name);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(name) << text;
  return name;
}
}  // namespace

TEST_CASE("secret files give decoded data and stringData", "[cli]") {
  auto path = write_temp("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  username: YWxpY2U=\nstringData:\n  password: s3cr3t\n");
  auto data = cli::read_secret_file(path).value();
  CHECK(data.at("username") == "alice");
  CHECK(data.at("password") == "s3cr3t");
  std::remove(path.c_str());
}

TEST_CASE("bad secret files are refused without quoting values", "[cli]") {
  CHECK_THAT(cli::read_secret_file("/nonexistent/secret.yaml").error().what(), Catch::Contains("cannot be read"));
  auto not_secret = write_temp("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\n");
  CHECK_THAT(cli::read_secret_file(not_secret).error().what(), Catch::Contains("expected one Secret manifest"));
  auto bad = write_temp("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  password: not*base64\n");
  auto e = cli::read_secret_file(bad);
  REQUIRE(e.has_error());
  CHECK_THAT(e.error().what(), Catch::Contains("data.password") && !Catch::Contains("not*base64"));
  std::remove(not_secret.c_str());
  std::remove(bad.c_str());
}
