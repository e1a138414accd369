#pragma once
// What `gitopsd get` shows of a GitRepository: read from the object as the API server returns it,
// without judging it (the agent's status is the truth).

#include "gitopsd/cli/table.hpp"

#include <rapidjson/document.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::cli {

struct repo_view {
  std::string namespace_;
  std::string name;
  std::string url;
  std::string revision;  // status.lastAppliedRevision
  std::string author;    // status.lastAppliedCommit
  std::string subject;
  std::string ready;     // Ready condition status; "Unknown" when none yet
  std::string reason;
  std::string message;
  bool suspended = false;
  std::optional<std::chrono::system_clock::time_point> created;
};

repo_view view_of(const rapidjson::Value& object);

// "main@sha1:0123456789ab": the commit cut to 12 hex digits; other forms unchanged.
std::string short_revision(std::string_view revision);

// "Ada Lovelace <ada@example.com>" -> "Ada Lovelace": the table has no room for addresses.
std::string author_name(std::string_view author);

// The header and one row per object; NAMESPACE first when `all_namespaces`.
row repo_header(bool all_namespaces);
row repo_row(const repo_view& view, bool all_namespaces, std::chrono::system_clock::time_point now);

// The index of the READY column, which a terminal shows in color.
std::size_t ready_column(bool all_namespaces);

// What `get -w` compares to decide whether a new reading of an object is worth a line: what the
// output shows of it without AGE, which follows the clock and not the object. `table`: the row's
// other cells; otherwise the full values of -o json|yaml.
row watch_key(const repo_view& view, bool all_namespaces, bool table);

// The views as a JSON array of objects with full values (for -o json and -o yaml).
rapidjson::Document repo_json(const std::vector<repo_view>& views);

// The named condition's field ("status", "reason", "message") or empty.
std::string condition_field(const rapidjson::Value& object, std::string_view type, std::string_view field);

}  // namespace gitopsd::cli
