#include "gitopsd/controller/webhook_target.hpp"

#include "gitopsd/core/base64.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/git/url.hpp"

namespace gitopsd::controller {
namespace {

std::string repository_of(const rapidjson::Value& object) {
  std::string url(json::get_string(object, "spec", "url").value_or(""));
  if (auto parsed = git::parse_url(url, true)) return parsed->cache_key;
  return url;
}

}  // namespace

std::optional<std::string> webhook_secret_name(const rapidjson::Value& gitrepository) {
  auto name = json::get_string(gitrepository, "spec", "webhook", "secretRef", "name");
  if (!name || name->empty()) return std::nullopt;
  return std::string(*name);
}

std::optional<std::string> webhook_token_of(const rapidjson::Value& secret) {
  auto encoded = json::get_string(secret, "data", "token");
  if (!encoded) return std::nullopt;
  auto token = base64_decode(*encoded);
  if (!token || token->empty()) return std::nullopt;
  return std::move(*token);
}

std::vector<std::string> same_url_keys(const std::map<std::string, rapidjson::Document>& objects, const std::string& key) {
  auto it = objects.find(key);
  if (it == objects.end()) return {};
  std::vector<std::string> out{key};
  std::string repository = repository_of(it->second);
  if (repository.empty()) return out;
  for (const auto& [other, object] : objects)
    if (other != key && repository_of(object) == repository) out.push_back(other);
  return out;
}

}  // namespace gitopsd::controller
