#pragma once
// Building API paths and query strings. Every path segment and query value is escaped.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gitopsd::kube {

// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string escape(std::string_view text);

struct resource_path {
  std::string group;  // empty: the core group (/api/v1)
  std::string version;
  std::string plural;
  std::string namespace_;  // empty: cluster scope, or all namespaces for a list
  std::string name;        // empty: the collection
  std::string subresource;  // "status", ...
};

// "/api/v1/namespaces/ns/configmaps/x", "/apis/apps/v1/deployments", ...
std::string build_path(const resource_path& path);

// "/api/v1" or "/apis/<group>/<version>": where discovery of one group/version lives.
std::string group_version_path(std::string_view group, std::string_view version);

class query {
 public:
  query& add(std::string_view key, std::string_view value);
  query& add_if(bool condition, std::string_view key, std::string_view value) {
    return condition ? add(key, value) : *this;
  }
  // "" or "?k=v&k2=v2".
  [[nodiscard]] std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace gitopsd::kube
