#include "gitopsd/cli/repo_view.hpp"

#include "gitopsd/core/json.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd;

namespace {
rapidjson::Document doc(std::string_view text) { return json::parse(text).value(); }

constexpr const char* repo = R"({
  "metadata": {"name": "app", "namespace": "team", "creationTimestamp": "2026-01-01T00:00:00Z"},
  "spec": {"url": "https://git.example/app.git", "suspend": true},
  "status": {"lastAppliedRevision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
             "lastAppliedCommit": {"author": "Ada Lovelace <ada@example.com>", "subject": "Scale web to 3"},
             "conditions": [{"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "x"},
                            {"type": "Ready", "status": "False", "reason": "ApplyFailed", "message": "ConfigMap/a: forbidden"}]}
})";
}  // namespace

TEST_CASE("get: a GitRepository's row", "[cli]") {
  auto v = cli::view_of(doc(repo));
  auto now = *cli::parse_time("2026-01-01T00:03:00Z");
  CHECK(cli::repo_row(v, false, now) == cli::row{"app", "https://git.example/app.git", "main@sha1:0123456789ab", "Ada Lovelace",
                                                 "Scale web to 3", "True", "False", "ConfigMap/a: forbidden", "3m"});
  CHECK(cli::repo_row(v, true, now).front() == "team");
  CHECK(cli::repo_header(true) == cli::row{"NAMESPACE", "NAME", "URL", "REVISION", "AUTHOR", "SUBJECT", "SUSPENDED", "READY", "MESSAGE", "AGE"});
}

TEST_CASE("get: a new object without status reads Unknown, not an empty cell", "[cli]") {
  auto v = cli::view_of(doc(R"({"metadata": {"name": "new", "namespace": "n"}, "spec": {"url": "u"}})"));
  CHECK(v.ready == "Unknown");
  CHECK(cli::repo_row(v, false, std::chrono::system_clock::now()) == cli::row{"new", "u", "", "", "", "False", "Unknown", "", ""});
}

TEST_CASE("get: revisions keep their ref and 12 hex digits", "[cli]") {
  CHECK(cli::short_revision("v1.2.0@sha1:0123456789abcdef0123456789abcdef01234567") == "v1.2.0@sha1:0123456789ab");
  CHECK(cli::short_revision("sha1:0123456789abcdef") == "sha1:0123456789abcdef");
  CHECK(cli::short_revision("") == "");
}

TEST_CASE("get: JSON output keeps full values", "[cli]") {
  auto out = cli::repo_json({cli::view_of(doc(repo))});
  CHECK(json::serialize(out) ==
        R"([{"namespace":"team","name":"app","url":"https://git.example/app.git","revision":"main@sha1:0123456789abcdef0123456789abcdef01234567",)"
        R"("author":"Ada Lovelace <ada@example.com>","subject":"Scale web to 3",)"
        R"("suspended":true,"ready":"False","reason":"ApplyFailed","message":"ConfigMap/a: forbidden"}])");
}

TEST_CASE("get: the author column keeps the name, not the address", "[cli]") {
  CHECK(cli::author_name("Ada Lovelace <ada@example.com>") == "Ada Lovelace");
  CHECK(cli::author_name("ada@example.com") == "ada@example.com");
  CHECK(cli::author_name("A <b> <c@d>") == "A <b>");
  CHECK(cli::author_name("") == "");
}

TEST_CASE("get -w: a new reading prints only when what is shown changed, AGE aside", "[cli]") {
  auto v = cli::view_of(doc(repo));
  for (bool table : {true, false})
    for (bool all : {true, false}) {
      // A minute later the AGE cell differs, the object does not.
      auto earlier = *cli::parse_time("2026-01-01T00:03:00Z"), later = *cli::parse_time("2026-01-01T00:04:00Z");
      REQUIRE(cli::repo_row(v, all, earlier) != cli::repo_row(v, all, later));
      CHECK(cli::watch_key(v, all, table) == cli::watch_key(cli::view_of(doc(repo)), all, table));
      auto changed = v;
      changed.message = "applied";
      CHECK(cli::watch_key(changed, all, table) != cli::watch_key(v, all, table));
      changed = v;
      changed.revision = "main@sha1:1111111111111111111111111111111111111111";
      CHECK(cli::watch_key(changed, all, table) != cli::watch_key(v, all, table));
    }
  // The table shows the message cut to 80 characters; -o json shows all of it.
  auto long_message = v, longer = v;
  long_message.message = std::string(100, 'a');
  longer.message = std::string(101, 'a');
  CHECK(cli::watch_key(long_message, false, true) == cli::watch_key(longer, false, true));
  CHECK(cli::watch_key(long_message, false, false) != cli::watch_key(longer, false, false));
  CHECK(cli::watch_key(v, false, true).size() == cli::repo_header(false).size() - 1);
}

TEST_CASE("get: the READY column is the one painted on a terminal", "[cli]") {
  for (bool all : {true, false}) CHECK(cli::repo_header(all).at(cli::ready_column(all)) == "READY");
  CHECK(cli::ready_column(false) == 6);
}
