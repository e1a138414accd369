#pragma once
// What a push webhook needs from the agent's cache: whether a GitRepository opted in (and with
// which Secret), the token in that Secret, and which GitRepositories share its URL. Pure.

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gitopsd::controller {

// spec.webhook.secretRef.name, or nullopt when the GitRepository did not opt in.
std::optional<std::string> webhook_secret_name(const rapidjson::Value& gitrepository);

// The Secret's `token`, decoded; nullopt when it is missing, empty or not base64 (not opted in).
std::optional<std::string> webhook_token_of(const rapidjson::Value& secret);

// `key` ("namespace/name") and every other GitRepository whose spec.url names the same
// repository (compared as the Git cache compares them: no user, default port, no ".git").
std::vector<std::string> same_url_keys(const std::map<std::string, rapidjson::Document>& objects, const std::string& key);

}  // namespace gitopsd::controller
