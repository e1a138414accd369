#include "print_error.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

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
  // After two JSON documents the stream is JSON: a third that is not is an error.
  auto bad = decode_documents("{\"a\": 1}\n{\"b\": 2}\n{\"c\": }", "t.json");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().what() == "t.json:3:7: invalid JSON: Invalid value.");
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
  // A string that is a document marker when it starts a line, and strings that only begin like
  // one (found by the yaml fuzzer).
  for (const char* marker : {"\"--- x\"\n", "\"...\"\n", "[\"--- x\", \"---\"]\n", "\"---,x\"\n", "\"---,}\"\n"}) {
    auto doc = decode_documents(marker, "m.yaml");
    REQUIRE(doc.has_value());
    auto back = decode_documents(to_yaml((*doc)[0]), "again.yaml");
    REQUIRE(back.has_value());
    REQUIRE(back->size() == 1);
    CHECK(json::serialize((*back)[0]) == json::serialize((*doc)[0]));
  }
  CHECK(one("---,x\n") == R"("---,x")");  // not a document marker: no blank after it
  CHECK(one("---,}\n") == R"("---,}")");
  CHECK(classify_plain("0o17") == scalar_kind::integer);
  CHECK(classify_plain("abc") == scalar_kind::string);
}

TEST_CASE("the YAML writer quotes strings a YAML 1.1 reader takes for times, as kustomize does", "[yaml]") {
  const char* quoted[] = {"2001-12-14", "2001-1-4", "1970-01-01T00:00:00Z", "2001-12-14t21:59:43.10-05:00",
                          "2001-12-14 21:59:43.10 -5", "2001-12-14 21:59:43", "12:30", "-1:20:30", "190:20:30.15",
                          "1_000:59"};
  const char* plain[] = {"12:60", "2001-12", "v1:2", "1:2x", "2001-12-14x", "12:30a", "2001-12-14T1:2"};
  for (const char* s : quoted) {
    rapidjson::Document doc;
    doc.SetObject();
    doc.AddMember("k", rapidjson::StringRef(s), doc.GetAllocator());
    std::string text = to_yaml(doc);
    INFO(text);
    CHECK(text == std::string("k: \"") + s + "\"\n");
    auto back = decode_documents(text, "again.yaml");
    REQUIRE(back);
    CHECK(json::serialize((*back)[0]) == json::serialize(doc));
  }
  for (const char* s : plain) {
    rapidjson::Document doc;
    doc.SetObject();
    doc.AddMember("k", rapidjson::StringRef(s), doc.GetAllocator());
    CHECK(to_yaml(doc) == std::string("k: ") + s + "\n");
  }
}

TEST_CASE("the YAML writer escapes characters a reader refuses or reads as a line break", "[yaml]") {
  // DEL, C0 and C1 controls (NEL), U+2028/U+2029, and a key holding one; all from JSON escapes.
  auto docs = decode_documents(
      R"({"a": "x\u007fy", "b": "\u0001", "c": "\u0085z", "d": "a\u2028b\u2029", "e": "\u009f", )"
      R"("f": "Gr\u00fc\u00dfe\u007f", "k\u0002": "v", "g": "\u00a0"})",
      "t.json");
  REQUIRE(docs);
  std::string text = to_yaml((*docs)[0]);
  INFO(text);
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    CHECK((u >= 0x20 || c == '\n'));
    CHECK(u != 0x7f);
  }
  CHECK(text.find("\\x85") != std::string::npos);
  CHECK(text.find("\\u2028") != std::string::npos);
  auto again = decode_documents(text, "again.yaml");
  REQUIRE(again);
  CHECK(json::serialize((*again)[0]) == json::serialize((*docs)[0]));
}

TEST_CASE("the YAML writer keeps non-characters in quoted strings", "[yaml]") {
  // yaml-cpp writes U+FDD0..U+FDEF and U+xFFFE/U+xFFFF of a quoted string as U+FFFD (found by the
  // yaml fuzzer: NEL and U+FDD2 in one string). Escaped, quoted, as a key, in a list, beside U+FFFD.
  auto docs = decode_documents(
      R"({"a": "\u0085\ufdd2", "b": " \ufdef ", "c": "\ufffe", "\ufdd0\u0085": ["\uffff\ufffd", "\ufdd1"], )"
      R"("d": "\ud83f\udffe\u007f", "e": "plain\ufdd3"})",
      "t.json");
  REQUIRE(docs);
  std::string text = to_yaml((*docs)[0]);
  INFO(text);
  CHECK(text.find("gitopsd") == std::string::npos);  // no marker left
  CHECK(text.find("\\ufdd2") != std::string::npos);
  auto again = decode_documents(text, "again.yaml");
  REQUIRE(again);
  CHECK(json::serialize((*again)[0]) == json::serialize((*docs)[0]));
}

TEST_CASE("the YAML writer writes keys longer than an implicit key may be as explicit keys", "[yaml]") {
  // 200 bytes that are not UTF-8 and a NEL escape to 1,200 characters (found by the yaml fuzzer);
  // JSON keys may be of any length.
  std::string escaped = "{\"" + std::string(200, '\xff') + "\\u0085\": 1, \"short\": [1], \"" + std::string(1500, 'k') +
                        "\": {\"x\": true}, \"y\": null}";
  auto docs = decode_documents(escaped, "t.json");
  REQUIRE(docs);
  std::string text = to_yaml((*docs)[0]);
  INFO(text);
  CHECK(text.find("? ") != std::string::npos);
  auto again = decode_documents(text, "again.yaml");
  REQUIRE(again);
  CHECK(json::serialize((*again)[0]) == json::serialize((*docs)[0]));
}

TEST_CASE("a stream starting with { that is not JSON is read as YAML, as kubectl reads it", "[yaml]") {
  CHECK(one("{a: 1, b: [x, y]}\n") == R"({"a":1,"b":["x",true]})");
  CHECK(one("{\"a\": }") == R"({"a":null})");
  CHECK(one("  {a: yes,\n   b: 0x1F}\n") == R"({"a":true,"b":31})");
  // One JSON document, then YAML for the rest (from the line after it).
  auto mixed = decode_documents("{\"a\": 1}\n---\nb: on\n---\nc: 2\n", "t.yaml");
  REQUIRE(mixed);
  REQUIRE(mixed->size() == 3);
  CHECK(json::serialize((*mixed)[0]) == R"({"a":1})");
  CHECK(json::serialize((*mixed)[1]) == R"({"b":true})");
  CHECK(json::serialize((*mixed)[2]) == R"({"c":2})");
  // Positions of YAML errors still count the lines of the JSON before them.
  CHECK(failure("{\"a\": 1}\n---\nb: [1,, 2]\n") == "t.yaml:3:7: did not find expected node content");
  CHECK(failure("{a: [1,, 2]}\n") == "t.yaml:1:8: did not find expected node content");
}

TEST_CASE("double-quoted escapes as go-yaml v2 reads them", "[yaml]") {
  CHECK(scalar(R"("a\Nb")") == "\"a\xc2\x85" "b\"}");
  CHECK(scalar(R"("a\_b")") == "\"a\xc2\xa0" "b\"}");
  CHECK(scalar(R"("\_\N\L\P\x41\u00e9")") == "\"\xc2\xa0\xc2\x85\xe2\x80\xa8\xe2\x80\xa9" "A\xc3\xa9\"}");
  CHECK(scalar("\"\xc3\x85\\N\"") == "\"\xc3\x85\xc2\x85\"}");  // a valid U+00C5 before is left alone
  CHECK(one("\"k\\_\": v\n") == "{\"k\xc2\xa0\":\"v\"}");
  // "\/" is YAML 1.2 only.
  CHECK(failure("a: \"x\\/y\"\n") == "t.yaml:1:6: found unknown escape character \\/");
  CHECK(scalar(R"("x\\/y")") == R"("x\\/y"})");
  CHECK(scalar(R"('x\/y')") == R"("x\\/y"})");
  CHECK(one("a: b # \"\\/\"\n") == R"({"a":"b"})");
}

TEST_CASE("floats after a dot take Go's digit separators", "[yaml]") {
  CHECK(scalar(".5_0") == "0.5}");
  CHECK(scalar(".1_2e1_0") == "1200000000}");
  CHECK(scalar(".1_2E+1") == "1.2}");
  for (const char* s : {"._5", ".5_", ".5__0", ".5_e3", ".5e_3", "._"})
    CHECK(scalar(s) == "\"" + std::string(s) + "\"}");
}

TEST_CASE("empty flow entries and directives are refused", "[yaml]") {
  CHECK(failure("a: [1,, 2]\n") == "t.yaml:1:7: did not find expected node content");
  CHECK(failure("a: [, 1]\n") == "t.yaml:1:5: did not find expected node content");
  CHECK(failure("a: {b: 1,\n  , c: 2}\n") == "t.yaml:2:3: did not find expected node content");
  CHECK(one("a: [1, 2, ]\nb: [\"x,,\", 'y,,' # ,,\n  ]\n") == R"({"a":[1,2],"b":["x,,","y,,"]})");
  CHECK(failure("%YAML 1.2\n---\na: 1\n") == "t.yaml:1:1: directives (%YAML, %TAG) are not supported: kubectl refuses them");
  CHECK(failure("%YAML 1.1\n---\na: 1\n").starts_with("t.yaml:1:1: directives"));
  CHECK(failure("a: 1\n---\n%TAG ! tag:x,2000:\n---\nb: 1\n").starts_with("t.yaml:3:1: directives"));
  CHECK(one("a: \"x\n%y\"\nb: |\n  %z\n") == R"({"a":"x %y","b":"%z\n"})");
}

// yaml-cpp 0.7 turns each ',' after a document's own value into another empty document, forever
// (3 bytes grew past a gigabyte): refused before it reads them.
TEST_CASE("a merge key whose value holds its own map is refused, not followed until the stack ends", "[yaml]") {
  // Found by the yaml fuzzer: the agent died of a stack overflow on these three lines.
  CHECK(failure("a: &b1\n  <<: *b1\n  k: x\n") ==
        "t.yaml:1:4: a merge key's value contains the map that holds it");
  CHECK(failure("a: &b1\n  <<: [*b1]\n").starts_with("t.yaml:2:"));
  CHECK(failure("a: &m\n  b:\n    <<: *m\n").starts_with("t.yaml:"));
  // The same map merged twice side by side is no cycle.
  CHECK(one("x: &m {k: 1}\nz: {<<: [*m, *m]}\n") == R"({"x":{"k":1},"z":{"k":1}})");
}

TEST_CASE("a comma after the document's value is refused, not read forever", "[yaml]") {
  const std::string why = "',' after the document's value: kubectl ignores the rest of the document, gitopsd refuses it";
  CHECK(failure("[],") == "t.yaml:1:3: " + why);
  CHECK(failure("\"\",") == "t.yaml:1:3: " + why);
  CHECK(failure("'a' ,") == "t.yaml:1:5: " + why);
  CHECK(failure("{a: 1}, {b: 2}\n") == "t.yaml:1:7: " + why);
  CHECK(failure("a: 1\n---\n[1, 2],\n") == "t.yaml:3:7: " + why);
  CHECK(failure(std::string("{~},\x82", 5)).starts_with("t.yaml:1:"));
  // A quote inside a plain scalar in a flow mapping: still found (by libyaml's reading).
  CHECK(failure("{\n  \"apiVersion\": \"v1\",\n e\": \"from,json\"},\n  \"data\": {\"n\": \"1\"}\n") ==
        "t.yaml:3:18: " + why);
  // Whatever way yaml-cpp gets there, its own parser is run first, counting: the loop stops at
  // the document limit (invalid UTF-8 in a flow mapping, found by the yaml fuzzer).
  const std::string odd("{\n  \"apiVersion\": \"%v1\",\n  \"kind\": \"ConfigMap\",\n\377\377\377\377\377\377adata\":# a l \"from-json\"},\n  \"data\": {\"n\": \"ly", 100);
  CHECK(failure(odd) == "t.yaml: more than 10000 documents in one file, empty ones included (limit max-yaml-documents)");
  // Inside a block collection yaml-cpp refuses the comma itself; plain scalars keep theirs.
  CHECK(failure("a: [],\n").starts_with("t.yaml:1:"));
  CHECK(one("a: x, y\nb: \"p,q\"\n") == R"({"a":"x, y","b":"p,q"})");
  CHECK(one("\"a\": [1, 2]\n") == R"({"a":[1,2]})");
}

TEST_CASE("a plain scalar goes on over lines that start with a comma", "[yaml]") {
  CHECK(one("a: hello\n    ,world\nb: x\n   , y ,z\n") == R"({"a":"hello ,world","b":"x , y ,z"})");
  CHECK(one("d:\n  p\n  ,q\ne:\n- r\n\n  ,s\n") == R"({"d":"p ,q","e":["r\n,s"]})");
  CHECK(one("- k: v\n     ,w\n") == R"([{"k":"v ,w"}])");
  CHECK(failure("a:\n  - p\n  ,q\n") == "t.yaml:3:3: did not find expected node content");
  CHECK(failure("a: b\n,c: d\n") == "t.yaml:2:1: did not find expected node content");
  CHECK(failure("a: b # c\n  ,d\n") == "t.yaml:2:3: did not find expected node content");
  CHECK(failure("a: \"b\"\n  ,d\n") == "t.yaml:2:3: did not find expected node content");
}

TEST_CASE("!!binary values are decoded from base64 as strings", "[yaml]") {
  CHECK(scalar("!!binary aGVsbG8=") == "\"hello\"}");
  CHECK(one("a: !!binary |\n  aGVs\n  bG8=\n") == R"({"a":"hello"})");
  CHECK(one("!!binary a2V5: v\n") == R"({"key":"v"})");
  CHECK(scalar("!!binary \"\"") == "\"\"}");
  // Bytes that are not UTF-8 become U+FFFD each, as Go's JSON encoder writes them.
  CHECK(scalar("!!binary /+I=") == "\"\xef\xbf\xbd\xef\xbf\xbd\"}");
  CHECK(failure("a: !!binary aGk\n") == "t.yaml:1:4: !!binary value contains invalid base64 data");
  CHECK(failure("a: !!binary a===\n") == "t.yaml:1:4: !!binary value contains invalid base64 data");
  CHECK(failure("a: !!binary aG k=\n") == "t.yaml:1:4: !!binary value contains invalid base64 data");
}

TEST_CASE("byte order marks and UTF-16 as kubectl reads them", "[yaml]") {
  auto utf16 = [](std::string_view ascii, bool big) {
    std::string out = big ? "\xfe\xff" : "\xff\xfe";
    for (char c : ascii) {
      if (big) out += '\0';
      out += c;
      if (!big) out += '\0';
    }
    return out;
  };
  CHECK(one(utf16("a: 1\nb: x\n", false)) == R"({"a":1,"b":"x"})");
  CHECK(one(utf16("a: 1\nb: x\n", true)) == R"({"a":1,"b":"x"})");
  std::string surrogates = utf16("a: ", false) + std::string{'\x3d', '\xd8', '\x00', '\xde'} + utf16("\n", false).substr(2);
  CHECK(one(surrogates) == "{\"a\":\"\xf0\x9f\x98\x80\"}");
  CHECK(one("\xef\xbb\xbf" "a: 1\n") == R"({"a":1})");
  std::string no_bom = utf16("a: 1\n", false).substr(2);
  CHECK(failure(no_bom) == "t.yaml:1:2: control characters are not allowed (the file looks like UTF-16 without a byte "
                           "order mark: save it as UTF-8)");
}

TEST_CASE("file names in messages carry no control characters", "[yaml]") {
  auto r = decode_documents("a: [1,, 2]\n", "x\x1b[2J\xe2\x80\xae\xff.yaml");
  REQUIRE_FALSE(r);
  CHECK(r.error().what() == "x\\x1b[2J\\xe2\\x80\\xae\\xff.yaml:1:7: did not find expected node content");
  CHECK(printable_name("dir/caf\xc3\xa9.yaml") == "dir/caf\xc3\xa9.yaml");
  CHECK(printable_name("a\tb\x7f") == "a\\x09b\\x7f");
}

namespace {

std::string kustomize_one(std::string_view text) {
  limits lim;
  lim.rules = yaml_rules::kustomize;
  auto docs = decode_documents(text, "k.yaml", lim);
  REQUIRE(docs);
  REQUIRE(docs->size() == 1);
  return json::serialize((*docs)[0]);
}

std::string kustomize_failure(std::string_view text) {
  limits lim;
  lim.rules = yaml_rules::kustomize;
  auto docs = decode_documents(text, "k.yaml", lim);
  REQUIRE_FALSE(docs);
  return docs.error().what();
}

}  // namespace

TEST_CASE("kustomize rules: only true and false words are booleans", "[yaml]") {
  CHECK(kustomize_one("a: y\nb: yes\nc: on\nd: True\ne: FALSE\nf: n\ng: Off\n") ==
        R"({"a":"y","b":"yes","c":"on","d":true,"e":false,"f":"n","g":"Off"})");
  CHECK(kustomize_one("a: 0755\nb: 0x1F\nc: ~\nd: 1e3\ne: 0o17\nf: 1_000\ng: .5_0\nh: null\ni:\n") ==
        R"({"a":493,"b":31,"c":null,"d":1000,"e":15,"f":1000,"g":0.5,"h":null,"i":null})");
  CHECK(kustomize_failure("a: .inf\n") == "k.yaml:1:4: .inf cannot be represented in JSON");
  // kubectl's rules are unchanged.
  CHECK(one("a: y\nb: on\n") == R"({"a":true,"b":true})");
}

TEST_CASE("kustomize rules: timestamps become RFC 3339 strings", "[yaml]") {
  CHECK(kustomize_one("t: 2001-12-14t21:59:43.10-05:00\n") == R"({"t":"2001-12-14T21:59:43.1-05:00"})");
  CHECK(kustomize_one("t: 2001-12-15T02:59:43.100Z\n") == R"({"t":"2001-12-15T02:59:43.1Z"})");
  CHECK(kustomize_one("t: 2001-12-15T02:59:43+00:00\n") == R"({"t":"2001-12-15T02:59:43Z"})");
  CHECK(kustomize_one("t: 2001-12-14 1:2:3.000\n") == R"({"t":"2001-12-14T01:02:03Z"})");
  CHECK(kustomize_one("t: 2002-1-1\n") == R"({"t":"2002-01-01T00:00:00Z"})");
  CHECK(kustomize_one("t: 2000-02-29\n") == R"({"t":"2000-02-29T00:00:00Z"})");
  for (const char* kept : {"2001-02-30", "1900-02-29", "2001-12-14 21:59:43.10 -5", "2001-12-14T25:00:00Z",
                           "2001-12-14T21:59:43", "20011-12-14", "2001-12-14x"})
    CHECK(kustomize_one(std::string("t: ") + kept + "\n") == std::string(R"({"t":")") + kept + "\"}");
  CHECK(kustomize_one("t: \"2001-12-14\"\n") == R"({"t":"2001-12-14"})");
  CHECK(one("t: 2001-12-14\n") == R"({"t":"2001-12-14"})");
}

TEST_CASE("kustomize rules: annotation values are their text, labels keep their type", "[yaml]") {
  CHECK(kustomize_one("metadata:\n  annotations:\n    p: 8080\n    t: ~\n    n: null\n    w: True\n"
                      "    b: !!binary aGk=\n    m: {a: 1}\n    q: \"x\\_y\"\n    e: \"\"\n") ==
        "{\"metadata\":{\"annotations\":{\"p\":\"8080\",\"t\":\"~\",\"n\":\"null\",\"w\":\"True\",\"b\":\"aGk=\","
        "\"m\":\"\",\"q\":\"x\xc2\xa0y\",\"e\":\"\"}}}");
  CHECK(kustomize_one("metadata:\n  labels:\n    p: 8080\n") == R"({"metadata":{"labels":{"p":8080}}})");
  CHECK(kustomize_one("spec:\n  metadata:\n    annotations:\n      p: 8080\n") ==
        R"({"spec":{"metadata":{"annotations":{"p":8080}}}})");
  CHECK(one("metadata:\n  annotations:\n    p: 8080\n") == R"({"metadata":{"annotations":{"p":8080}}})");
}

TEST_CASE("kustomize rules: keys keep their text, and nested maps need string keys", "[yaml]") {
  CHECK(kustomize_one("on: a\n1: b\n1.50: c\n") == R"({"on":"a","1":"b","1.50":"c"})");
  CHECK(kustomize_one("data:\n  on: a\n  \"1\": b\n") == R"({"data":{"on":"a","1":"b"}})");
  CHECK(kustomize_failure("data:\n  1: a\n") ==
        "k.yaml:2:3: kustomize cannot write a map with the non-string key `1` below the top level");
  CHECK(kustomize_failure("data:\n  true: a\n").starts_with("k.yaml:2:3: kustomize cannot write"));
  CHECK(kustomize_failure("data:\n  2001-12-14: a\n").starts_with("k.yaml:2:3: kustomize cannot write"));
}

TEST_CASE("kustomize rules keep the text of scalars JSON loses, by JSON pointer", "[yaml]") {
  limits lim;
  lim.rules = yaml_rules::kustomize;
  std::vector<written_scalars> written;
  auto docs = decode_documents("{\"a\": null}\n---\nz: 1\n---\n"
                               "a: ~\nb: null\nc:\nd: 2001-12-14\ne: 012\nf: +7\ng: 10\nh: 1_000.5\n"
                               "i: 18446744073709551615\nj: '012'\nk: !!float 012\nl: [Null, {m/~: 0x1F}]\n"
                               "metadata: {annotations: {n: ~}}\n",
                               "t.yaml", lim, &written);
  REQUIRE(docs);
  REQUIRE(written.size() == 3);  // one list per document, JSON's and empty ones too
  CHECK(written[0].empty());
  CHECK(written[1].empty());
  std::vector<std::string> got;
  for (const auto& w : written[2]) got.push_back(fmt::format("{}={}:{}", w.pointer, static_cast<int>(w.k), w.text));
  // An annotation's null is noted even as "null": the value itself is its text (see patches).
  CHECK(got == std::vector<std::string>{"/a=0:~", "/c=0:", "/d=1:2001-12-14", "/e=2:012", "/f=2:+7",
                                        "/h=3:1_000.5", "/i=2:18446744073709551615", "/l/0=0:Null",
                                        "/l/1/m~1~0=2:0x1F", "/metadata/annotations/n=0:~"});
  // kubectl's rules keep nothing.
  std::vector<written_scalars> none;
  REQUIRE(decode_documents("a: ~\n", "t.yaml", {}, &none));
  CHECK(none.size() == 1);
  CHECK(none[0].empty());
}
