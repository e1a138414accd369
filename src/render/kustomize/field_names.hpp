#pragma once
// Field names of a kustomization file as kustomize reads them: it decodes the file with Go's
// encoding/json, which takes a key that equals a field name without regard to case ("nameprefix"
// is namePrefix; Unicode folding makes "ſ" an "s" and the Kelvin sign a "k").

#include <rapidjson/document.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::render::kustomize {

// `key` with letters folded the way encoding/json compares names.
std::string fold_field_name(std::string_view key);

// The field of `known` that `key` names, if any.
std::optional<std::string_view> match_field(std::string_view key, std::initializer_list<std::string_view> known);

// The member of map `obj` that encoding/json would decode as field `name` (any case; the last one
// wins), or null.
const rapidjson::Value* find_field(const rapidjson::Value& obj, std::string_view name);

}  // namespace gitopsd::render::kustomize
