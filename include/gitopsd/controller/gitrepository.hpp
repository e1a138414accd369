#pragma once
// The GitRepository custom resource as the agent reads it: spec validated with messages that name
// the field, and the parts of status that a restarted agent converges from.

#include "gitopsd/core/duration.hpp"
#include "gitopsd/core/error.hpp"
#include "gitopsd/core/identity.hpp"
#include "gitopsd/sync/inventory.hpp"
#include "gitopsd/verify/verify.hpp"

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::controller {

inline constexpr const char* api_group = "gitopsd.io";
inline constexpr const char* api_version = "gitopsd.io/v1alpha1";
inline constexpr const char* kind = "GitRepository";
inline constexpr const char* resource = "gitrepositories";
inline constexpr const char* finalizer = "gitopsd.io/finalizer";
inline constexpr const char* requested_at_annotation = "gitopsd.io/requestedAt";

inline group_version_kind gitrepository_gvk() { return {api_group, "v1alpha1", kind}; }
inline object_ref gitrepository_ref(std::string namespace_, std::string name) {
  return {gitrepository_gvk(), std::move(namespace_), std::move(name)};
}

struct source_ref {
  enum class type { branch, tag, semver, commit };
  type kind = type::branch;
  std::string value = "main";
  std::string branch;  // with a commit: the branch it is on (for the revision string)
};

struct dependency {
  std::string namespace_;
  std::string name;
};

// spec.postBuild: variables substituted in the rendered objects.
struct substitute_reference {
  std::string kind;  // ConfigMap or Secret
  std::string name;
  bool optional = false;
};

struct post_build_spec {
  std::map<std::string, std::string> substitute;
  std::vector<substitute_reference> substitute_from;
  bool strict = false;
};

// spec.verify: the signature the applied commit (or its tag) must carry, and the Secret of keys.
struct verify_spec {
  verify::mode mode = verify::mode::head;
  std::string secret_name;
};

// spec.decryption: SOPS-encrypted files are decrypted with the keys of this Secret.
struct decryption_spec {
  std::string secret_name;
};

struct gitrepository_spec {
  std::string url;
  source_ref ref;
  std::string path;
  duration interval{};
  duration timeout = std::chrono::minutes(5);
  duration retry_interval{};  // zero: the interval
  std::string secret_name;
  std::string target_namespace;
  bool prune = false;
  bool wait = false;
  bool suspend = false;
  bool adopt = false;        // take over existing objects that carry no gitopsd marks
  bool allow_empty = false;  // a commit that renders nothing may prune everything
  std::string service_account;
  std::vector<dependency> depends_on;
  std::optional<std::string> ignore;  // spec.ignore: gitignore lines
  post_build_spec post_build;
  std::optional<verify_spec> verify;
  std::optional<decryption_spec> decryption;
};

struct gitrepository {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::int64_t generation = 0;
  std::string resource_version;
  std::string requested_at;
  bool deleting = false;
  bool has_finalizer = false;
  gitrepository_spec spec;
  // From status:
  std::int64_t observed_generation = 0;
  std::string last_applied_revision;
  std::string last_attempted_revision;
  std::string handled_requested_at;
  std::string ready_status;  // "True", "False", "Unknown" or empty
  std::string ready_reason;
  std::string ready_message;
  std::vector<sync::inventory_entry> inventory;
  std::vector<std::string> unreadable_inventory;  // entries whose id no legal object makes
  std::string inventory_problem;                  // status.inventory itself is malformed

  [[nodiscard]] std::string key() const { return namespace_ + "/" + name; }
};

enum class spec_errc { invalid = 1 };

// Metadata, status and what deletion needs of the spec; never fails, so an object whose spec no
// longer parses can still be deleted.
gitrepository read_gitrepository_metadata(const rapidjson::Value& object);

// Reads and checks a GitRepository; errors name the object and the field.
result<gitrepository> parse_gitrepository(const rapidjson::Value& object);

}  // namespace gitopsd::controller
