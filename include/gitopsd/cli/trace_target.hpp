#pragma once
// `gitopsd trace KIND/NAME`: which object is meant, who owns it by its marks, and whether its
// owner has it in sync.

#include "gitopsd/core/error.hpp"
#include "gitopsd/core/identity.hpp"

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::cli {

struct trace_target {
  std::string kind;   // as written; made canonical by well_known_kind
  std::string group;  // after "Kind.group"
  bool group_given = false;
  std::string name;
};

enum class cli_errc { invalid_argument = 1 };

// "Kind/name" or "Kind.group/name" (kind case-insensitive, as kubectl).
result<trace_target> parse_trace_target(std::string_view text);

// The built-in kinds people trace, with their group and version: "deployment" -> apps/v1
// Deployment. Unknown kinds need "Kind.group".
std::optional<group_version_kind> well_known_kind(std::string_view kind);

struct owner_marks {
  bool managed = false;      // a tracking id that names this very object
  std::string namespace_;    // the owner GitRepository
  std::string name;
  std::string problem;       // marks that disagree or name another object (a copy)
};

// Reads gitopsd.io/tracking-id and the gitopsd.io/name and gitopsd.io/namespace labels.
owner_marks owner_of(const rapidjson::Value& object, const object_ref& ref);

struct sync_verdict {
  bool in_sync = false;
  std::string why;
};

// In sync: the object is in the owner's inventory, and the owner is Ready=True at its latest
// generation (the agent applied this revision and undoes drift as it sees it).
sync_verdict judge_sync(const rapidjson::Value& owner, const object_ref& ref);

}  // namespace gitopsd::cli
