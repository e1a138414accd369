#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/error.hpp"

#include <catch2/catch.hpp>

#include <stdexcept>

using namespace gitopsd;

TEST_CASE("errors carry a code and a message", "[error]") {
  error e = make_error(core::errc::missing_field, "metadata.name is missing");
  CHECK(e.code.category().name() == std::string("gitopsd.core"));
  CHECK(e.code.message() == "missing field");
  CHECK(e.what() == "metadata.name is missing");
  CHECK(make_error(core::errc::invalid_json).what() == "invalid JSON");
  CHECK(e.wrap("file a.yaml").what() == "file a.yaml: metadata.name is missing");
  CHECK(e.wrap("x").code == core::errc::missing_field);
}

TEST_CASE("reading the value of a failed result is a bug and throws", "[error]") {
  result<int> r = make_error(core::errc::wrong_type, "not a number");
  CHECK_THROWS_AS(r.value(), std::logic_error);
  result<int> ok = 3;
  CHECK(ok.value() == 3);
}
