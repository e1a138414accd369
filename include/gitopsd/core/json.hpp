#pragma once
// Small helpers over RapidJSON documents, which are how every Kubernetes object is held.

#include "gitopsd/core/error.hpp"

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::json {

// Follows object keys; nullptr when any step is missing or not an object.
const rapidjson::Value* find(const rapidjson::Value& value, std::string_view key);
template <class... Keys>
const rapidjson::Value* find(const rapidjson::Value& value, std::string_view key, Keys... rest) {
  const rapidjson::Value* next = find(value, key);
  if (next == nullptr) return nullptr;
  return find(*next, rest...);
}

template <class... Keys>
std::optional<std::string_view> get_string(const rapidjson::Value& value, Keys... keys) {
  const rapidjson::Value* found = find(value, keys...);
  if (found == nullptr || !found->IsString()) return std::nullopt;
  return std::string_view(found->GetString(), found->GetStringLength());
}

template <class... Keys>
std::optional<std::int64_t> get_int(const rapidjson::Value& value, Keys... keys) {
  const rapidjson::Value* found = find(value, keys...);
  if (found == nullptr || !found->IsInt64()) return std::nullopt;
  return found->GetInt64();
}

template <class... Keys>
std::optional<bool> get_bool(const rapidjson::Value& value, Keys... keys) {
  const rapidjson::Value* found = find(value, keys...);
  if (found == nullptr || !found->IsBool()) return std::nullopt;
  return found->GetBool();
}

// Returns the member `key` of `object`, adding an empty object there first when absent.
rapidjson::Value& ensure_object(rapidjson::Value& object, std::string_view key, rapidjson::Document::AllocatorType& a);

// Sets object[key] = value (a string), replacing any previous value.
void set_string(rapidjson::Value& object, std::string_view key, std::string_view value,
                rapidjson::Document::AllocatorType& a);

// Size of a value without recursion (values may come from hostile input): values, approximate
// serialized bytes, and nesting depth (a scalar is depth 0).
struct extent {
  std::size_t values = 0;
  std::size_t bytes = 0;
  std::size_t depth = 0;
};
extent measure(const rapidjson::Value& value);

// Iterative: input nested deeper than the stack allows is an error, not a crash.
result<rapidjson::Document> parse(std::string_view text);
std::string serialize(const rapidjson::Value& value);
std::string serialize_pretty(const rapidjson::Value& value);

inline std::string_view view(const rapidjson::Value& s) { return {s.GetString(), s.GetStringLength()}; }

}  // namespace gitopsd::json
