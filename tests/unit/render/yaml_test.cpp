#include "print_error.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace gitopsd;
using namespace gitopsd::render;

namespace {

std::string one(std::string_view text) {
  auto docs = decode_documents(text, "t.yaml");
  REQUIRE(docs);
  REQUIRE(docs->size() == 1);
  return json::serialize((*docs)[0]);
}

std::string scalar(std::string_view text) { return one("v: " + std::string(text)).substr(5, std::string::npos); }

std::string failure(std::string_view text, const limits& lim = {}) {
  auto docs = decode_documents(text, "t.yaml", lim);
  REQUIRE_FALSE(docs);
  return docs.error().what();
}

}  // namespace

TEST_CASE("YAML 1.1 booleans as go-yaml v2 reads them", "[yaml]") {
  for (const char* t : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
    CHECK(scalar(t) == "true}");
  for (const char* f : {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
    CHECK(scalar(f) == "false}");
  CHECK(scalar("yEs") == "\"yEs\"}");
  CHECK(scalar("\"yes\"") == "\"yes\"}");
  CHECK(scalar("'on'") == "\"on\"}");
}

TEST_CASE("integers in every base, with underscores, and their limits", "[yaml]") {
  CHECK(scalar("0x1F") == "31}");
  CHECK(scalar("0o17") == "15}");
  CHECK(scalar("017") == "15}");
  CHECK(scalar("0b101") == "5}");
  CHECK(scalar("-0x10") == "-16}");
  CHECK(scalar("+12") == "12}");
  CHECK(scalar("1_000") == "1000}");
  CHECK(scalar("08") == "8}");  // no octal, but a float-shaped decimal
  CHECK(scalar("9223372036854775807") == "9223372036854775807}");
  CHECK(scalar("-9223372036854775808") == "-9223372036854775808}");
  // Past int64 Kubernetes holds a float64.
  CHECK(scalar("18446744073709551615") == "18446744073709553000.0}");
  CHECK(scalar("0x") == "\"0x\"}");
  CHECK(scalar("1e400") == "\"1e400\"}");
}

TEST_CASE("floats: integral ones become integers as they do through Go's JSON", "[yaml]") {
  CHECK(scalar("1.0") == "1}");
  CHECK(scalar("1.5") == "1.5}");
  CHECK(scalar(".5") == "0.5}");
  CHECK(scalar("1e3") == "1000}");
  CHECK(scalar("-2.5e-3") == "-0.0025}");
  CHECK(scalar("1.") == "1}");
  CHECK(scalar(".") == "\".\"}");
}

TEST_CASE("null, timestamps, tags and strings", "[yaml]") {
  CHECK(scalar("~") == "null}");
  CHECK(scalar("null") == "null}");
  CHECK(scalar("NULL") == "null}");
  CHECK(one("v:\n") == R"({"v":null})");
  CHECK(scalar("2001-12-14t21:59:43.10-05:00") == "\"2001-12-14t21:59:43.10-05:00\"}");
  CHECK(scalar("2001-12-14") == "\"2001-12-14\"}");
  CHECK(scalar("!!str 12") == "\"12\"}");
  CHECK(scalar("!!float 1") == "1}");
  CHECK(scalar("!!int \"12\"") == "12}");
  CHECK(scalar("!custom 12") == "\"12\"}");
  CHECK(scalar("\"\"") == "\"\"}");
  CHECK(scalar("abc") == "\"abc\"}");
}

TEST_CASE("block scalars with every chomping mode", "[yaml]") {
  CHECK(one("v: |\n  a\n  b\n\n") == R"({"v":"a\nb\n"})");
  CHECK(one("v: |-\n  a\n  b\n\n") == R"({"v":"a\nb"})");
  CHECK(one("v: |+\n  a\n  b\n\n") == R"({"v":"a\nb\n\n"})");
  CHECK(one("v: >\n  a\n  b\n") == R"({"v":"a b\n"})");
  CHECK(one("v: >-\n  a\n  b\n") == R"({"v":"a b"})");
}

TEST_CASE("map keys become strings the way sigs.k8s.io/yaml writes them", "[yaml]") {
  CHECK(one("1: a\n") == R"({"1":"a"})");
  CHECK(one("on: a\n") == R"({"true":"a"})");
  CHECK(one("1.5: a\n") == R"({"1.5":"a"})");
  CHECK(one("1e6: a\n") == R"({"1e+06":"a"})");
  CHECK(one("\"on\": a\n") == R"({"on":"a"})");
}

TEST_CASE("anchors, aliases and merge keys", "[yaml]") {
  CHECK(one("a: &x [1, 2]\nb: *x\n") == R"({"a":[1,2],"b":[1,2]})");
  CHECK(one("base: &b {p: 1, q: 2}\nm:\n  <<: *b\n  q: 3\n") == R"({"base":{"p":1,"q":2},"m":{"p":1,"q":3}})");
  // go-yaml v2 applies keys in order, so a merge after a key overrides it.
  CHECK(one("b: &b {q: 2}\nm:\n  q: 3\n  <<: *b\n") == R"({"b":{"q":2},"m":{"q":2}})");
  // In a list of maps the earlier map wins.
  CHECK(one("a: &a {k: 1}\nb: &b {k: 2, j: 2}\nm:\n  <<: [*a, *b]\n") == R"({"a":{"k":1},"b":{"k":2,"j":2},"m":{"k":1,"j":2}})");
  CHECK(failure("m:\n  <<: 3\n") == "t.yaml:2:7: map merge requires map or sequence of maps as the value");
}

TEST_CASE("documents: separators, end markers, empty and comment-only documents", "[yaml]") {
  auto docs = decode_documents("---\n# only a comment\n---\na: 1\n...\n---\n---\nb: 2\n", "t.yaml");
  REQUIRE(docs);
  REQUIRE(docs->size() == 2);
  CHECK(json::serialize((*docs)[1]) == R"({"b":2})");
  auto none = decode_documents("", "t.yaml");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("JSON streams are read as JSON", "[yaml]") {
  auto docs = decode_documents("{\"a\": 1.0, \"b\": 18446744073709551615}\n{\"c\": \"x\"}", "t.json");
  REQUIRE(docs);
  REQUIRE(docs->size() == 2);
  CHECK(json::serialize((*docs)[0]) == R"({"a":1,"b":18446744073709553000.0})");
  CHECK(json::serialize((*docs)[1]) == R"({"c":"x"})");
  auto bad = decode_documents("{\"a\": }", "t.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "t.json:1:7: invalid JSON: Invalid value.");
  auto dup = decode_documents("{\"a\": 1, \"a\": 2}", "t.json");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().what() == "t.json: duplicate key \"a\"");
}

TEST_CASE("bad input is refused with file, line and column", "[yaml]") {
  CHECK(failure("a: 1\na: 2\n") == "t.yaml:2:1: duplicate key \"a\"");
  CHECK(failure("a: [1, 2\n").starts_with("t.yaml:"));
  CHECK(failure("a: .inf\n") == "t.yaml:1:4: .inf cannot be represented in JSON");
  CHECK(failure("a: -.Inf\n") == "t.yaml:1:4: -.Inf cannot be represented in JSON");
  CHECK(failure("a: .nan\n") == "t.yaml:1:4: .nan cannot be represented in JSON");
  CHECK(failure("~: 1\n") == "t.yaml:1:1: null cannot be a map key");
  CHECK(failure("[1]: 1\n") == "t.yaml:1:1: a map or list cannot be a map key");
  CHECK(failure("a: !!int abc\n") == "t.yaml:1:4: cannot decode `abc` as a !!int");
  CHECK(failure("a: !!binary aGk=\n") == "t.yaml:1:4: unsupported tag !!binary");
  CHECK(failure("a: *nope\n").starts_with("t.yaml:1:"));
  // Invalid UTF-8 is replaced as kubectl replaces it: one U+FFFD per ill-formed subsequence.
  CHECK(one("k: a\x9d\x9d" "b\n") == "{\"k\":\"a\xef\xbf\xbd\xef\xbf\xbd" "b\"}");
  CHECK(one("j: a\xe2\x82\n") == "{\"j\":\"a\xef\xbf\xbd\"}");
  CHECK(one("h: \xf0\x9f\x98x\xff\n") == "{\"h\":\"\xef\xbf\xbdx\xef\xbf\xbd\"}");
  // yaml-cpp would loop forever on these; go-yaml rejects them.
  CHECK(failure(",") == "t.yaml:1:1: did not find expected node content");
  CHECK(failure("- a\n,") == "t.yaml:2:1: did not find expected node content");
  CHECK(failure("a: 1\n---\n  ,x") == "t.yaml:3:3: did not find expected node content");
  CHECK(failure("&a ,") == "t.yaml:1:4: did not find expected node content");
  CHECK(failure("!kk,kk .5") == "t.yaml:1:4: did not find expected node content");
  CHECK(failure("&ab,c\nr e") == "t.yaml:1:4: did not find expected node content");
  CHECK(one("a: b ,c\nd: [x, z]\ne: 'p, q'\nf: |\n  ,line\n# , comment\ng: \"h\" # ,\n") ==
        R"({"a":"b ,c","d":["x","z"],"e":"p, q","f":",line\n","g":"h"})");
  CHECK(failure("a: b\x0e\n") == "t.yaml:1:5: control characters are not allowed");
  CHECK(one("a: \"caf\xc3\xa9\"\n") == "{\"a\":\"caf\xc3\xa9\"}");
}

TEST_CASE("safety limits: file size, documents, depth, alias expansion", "[yaml]") {
  limits small;
  small.max_file_bytes = 10;
  auto big = decode_documents("a: 12345678901\n", "t.yaml", small);
  REQUIRE_FALSE(big);
  CHECK(big.error().code == errc::limit_exceeded);
  CHECK(big.error().what() == "t.yaml: file is 15 bytes, more than the limit of 10 (limit max-yaml-file-bytes)");

  limits docs;
  docs.max_documents = 1;
  CHECK(failure("a: 1\n---\nb: 2\n", docs) ==
        "t.yaml:2:1: more than 1 documents in one file, empty ones included (limit max-yaml-documents)");
  // Empty documents count: each costs the YAML library a node.
  CHECK(failure("---\n---\n", docs) ==
        "t.yaml:2:1: more than 1 documents in one file, empty ones included (limit max-yaml-documents)");

  limits shallow;
  shallow.max_depth = 3;
  CHECK(failure("a: {b: {c: {d: {e: 1}}}}\n", shallow) == "t.yaml:1:16: nesting deeper than 3 (limit max-yaml-depth)");

  std::string laughs = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    laughs += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) +
              ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
              char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  limits few_bytes;
  few_bytes.max_bytes = 1000;
  std::string wide = "a: &a \"" + std::string(100, 'x') + "\"\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";
  CHECK_THAT(failure(wide, few_bytes),
             Catch::Contains("more than 1000 bytes of text in one file, aliases expanded (limit max-yaml-text-bytes)"));
  auto bomb = decode_documents(laughs, "t.yaml");
  REQUIRE_FALSE(bomb);
  CHECK(bomb.error().code == errc::limit_exceeded);
  CHECK(bomb.error().what().find("aliases expanded (limit max-yaml-values)") != std::string::npos);
}

TEST_CASE("the YAML writer quotes what would change type and reads back the same", "[yaml]") {
  auto docs = decode_documents(
      "s: \"yes\"\nn: \"12\"\ne: \"\"\nm: \"a\\nb\"\nk: {\"on\": 1}\nt: true\nf: 1.5\nl: []\no: {}\nz: null\n"
      "x: \"<<\"\np: ' lead'\n",
      "t.yaml");
  REQUIRE(docs);
  std::string text = to_yaml((*docs)[0]);
  auto again = decode_documents(text, "again.yaml");
  REQUIRE(again);
  CHECK(json::serialize((*again)[0]) == json::serialize((*docs)[0]));
  CHECK(text.find("s: \"yes\"") != std::string::npos);
  CHECK(classify_plain("0o17") == scalar_kind::integer);
  CHECK(classify_plain("abc") == scalar_kind::string);
}
