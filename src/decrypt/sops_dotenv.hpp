#pragma once
// dotenv as SOPS reads and writes it: KEY=VALUE lines ("\n" in a value stands for a newline),
// '#' comment lines, metadata in "sops_"-prefixed entries.

#include "sops_value.hpp"

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gitopsd::decrypt {

struct dotenv_file {
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<std::pair<std::string, std::string>> metadata;  // "sops_" entries, prefix removed
  // Comment lines (without '#'), each before the entry at `before` (entries.size(): at the end).
  std::vector<std::pair<std::size_t, std::string>> comments;
};

// Whether the text has a line starting with "sops_" and holding '=': SOPS's metadata in dotenv.
bool has_dotenv_metadata(std::string_view text);

result<dotenv_file> read_dotenv(std::string_view text);

// Comments SOPS encrypted (at the top level: additional data ":"); one that does not open stays as
// written, as with sops.
void open_dotenv_comments(dotenv_file& file, const data_key& key);

// The entries (values of `doc`, in order) with the comments in their places, as sops writes them.
std::string write_dotenv(const rapidjson::Value& doc, const dotenv_file& file);

}  // namespace gitopsd::decrypt
