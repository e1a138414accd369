#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

using namespace gitopsd;

TEST_CASE("json log lines are valid JSON with typed fields", "[log]") {
  std::string line = log::render(log::format::json, log::level::info, "T", "synced \"app\"",
                                 {{"objects", 3}, {"ratio", 0.5}, {"ok", true}, {"rev", "main@sha1:abc"}});
  auto doc = json::parse(line).value();
  CHECK(json::get_string(doc, "level") == "info");
  CHECK(json::get_string(doc, "msg") == "synced \"app\"");
  CHECK(json::get_int(doc, "objects") == 3);
  CHECK(json::get_bool(doc, "ok") == true);
  CHECK(json::get_string(doc, "rev") == "main@sha1:abc");
}

TEST_CASE("text log lines quote what needs quoting", "[log]") {
  std::string line = log::render(log::format::text, log::level::warn, "T", "retrying",
                                 {{"object", "Deployment/a/b"}, {"error", "connection reset by peer"}, {"n", 2}});
  CHECK(line == "T warn  retrying object=Deployment/a/b error=\"connection reset by peer\" n=2");
}

TEST_CASE("secrets never reach the log", "[log]") {
  for (auto f : {log::format::json, log::format::text}) {
    std::string line = log::render(f, log::level::error, "T", "auth",
                                   {{"password", "hunter2"},
                                    {"bearerToken", "tok-123"},
                                    {"Authorization", "Bearer tok-456"},
                                    {"identity", "-----BEGIN"},
                                    {"value", log::redacted{"s3cr3t"}},
                                    {"user", "alice"}});
    for (const char* leaked : {"hunter2", "tok-123", "tok-456", "BEGIN", "s3cr3t"})
      CHECK(line.find(leaked) == std::string::npos);
    CHECK(line.find("alice") != std::string::npos);
    CHECK(line.find("[redacted]") != std::string::npos);
  }
}

TEST_CASE("levels filter and parse", "[log]") {
  std::ostringstream out;
  log::configure(log::format::text, log::level::warn, &out);
  log::info("hidden");
  log::warn("shown");
  CHECK(out.str().find("hidden") == std::string::npos);
  CHECK(out.str().find("shown") != std::string::npos);
  CHECK(log::parse_level("debug") == log::level::debug);
  CHECK_FALSE(log::parse_level("verbose"));
  CHECK(log::parse_format("text") == log::format::text);
  CHECK_FALSE(log::parse_format("xml"));
  log::configure(log::format::json, log::level::info, &std::clog);
}
