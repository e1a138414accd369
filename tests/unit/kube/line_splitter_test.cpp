#include "gitopsd/kube/line_splitter.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/watch_event.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace gitopsd;
using namespace gitopsd::kube;

namespace {
const std::string stream =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"10\"}}}\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\"11\"},"
    "\"data\":{\"k\":\"line\\nbreak \xC3\xA9\"}}}\r\n"
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"metadata\":{\"resourceVersion\":\"12\"}}}\n";
}

TEST_CASE("lines come out whole wherever the stream is cut (every byte, twice)", "[watch]") {
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    for (std::size_t j = i; j <= stream.size(); j += 7) {
      line_splitter s;
      std::vector<std::string> lines;
      auto collect = [&](std::string_view l) { lines.emplace_back(l); };
      REQUIRE(s.feed(std::string_view(stream).substr(0, i), collect));
      REQUIRE(s.feed(std::string_view(stream).substr(i, j - i), collect));
      REQUIRE(s.feed(std::string_view(stream).substr(j), collect));
      REQUIRE(lines.size() == 3);
      CHECK(s.buffered() == 0);
      auto e = parse_watch_line(lines[1], "watch ConfigMap");
      REQUIRE(e.has_value());
      CHECK(e->type == "MODIFIED");
      CHECK(e->resource_version == "11");
    }
  }
}

TEST_CASE("one byte at a time", "[watch]") {
  line_splitter s;
  std::vector<std::string> lines;
  for (char c : stream) s.feed(std::string_view(&c, 1), [&](std::string_view l) { lines.emplace_back(l); });
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].ends_with("}}}"));
}

TEST_CASE("a line over the limit is refused", "[watch]") {
  line_splitter s(16);
  CHECK(s.feed("0123456789", [](std::string_view) {}));
  CHECK_FALSE(s.feed("0123456789", [](std::string_view) {}));
  CHECK(s.buffered() == 0);
}

TEST_CASE("watch lines: events, errors and garbage", "[watch]") {
  auto added = parse_watch_line(R"({"type":"ADDED","object":{"metadata":{"name":"x","resourceVersion":"5"}}})", "w");
  REQUIRE(added.has_value());
  CHECK(added->object["metadata"]["name"].GetString() == std::string("x"));
  auto gone = parse_watch_line(
      R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (9)","reason":"Expired","code":410}})j",
      "watch ConfigMap in ns");
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code == errc::gone);
  CHECK(gone.error().what() ==
        "watch ConfigMap in ns: gone (resource version too old) (HTTP 410): \"too old resource version: 5 (9)\"");
  auto bad = parse_watch_line("{\"type\":\"ADDED\"", "w");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == errc::malformed_response);
  auto odd = parse_watch_line(R"({"type":"SOMETHING","object":{}})", "w");
  REQUIRE_FALSE(odd.has_value());
  CHECK(odd.error().what() == "w: unknown event type \"SOMETHING\"");
}
