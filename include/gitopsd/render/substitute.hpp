#pragma once
// Variable substitution after the build (Flux's postBuild): `${var}` and its shell-style forms are
// replaced in each rendered object's YAML text, which is then read back. The rules are those of
// Flux's kustomize-controller (docs/rendering.md, "Variable substitution").

#include "gitopsd/core/error.hpp"
#include "gitopsd/render/render.hpp"

#include <rapidjson/document.h>

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::render {

using variables = std::map<std::string, std::string>;

inline constexpr const char* substitute_key = "gitopsd.io/substitute";
inline constexpr const char* variable_name_rule = "^[_[:alpha:]][_[:alpha:][:digit:]]*$";

struct substitution {
  variables vars;
  // An undefined variable without a default is an error instead of the empty string.
  bool strict = false;
  // Bytes one object's text may grow to: a reference repeated many times stops here.
  std::size_t max_output_bytes = 32u << 20;
};

// Whether `name` matches variable_name_rule (ASCII letters, digits and '_', not starting with a digit).
bool valid_variable_name(std::string_view name);

// Every name valid, else an error naming the first that is not.
result<void> check_variable_names(const variables& vars);

// A value as Flux takes it from a ConfigMap, Secret or spec: line breaks removed.
std::string variable_value(std::string_view raw);

// The text with every `${...}` expression replaced and `$$` read as `$`. Linear in the text and
// the output (nesting of expressions is bounded); errors say what is wrong and where.
result<std::string> substitute_text(std::string_view text, const substitution& s);

// Labelled or annotated `gitopsd.io/substitute: disabled`: left as rendered.
bool substitution_disabled(const rapidjson::Value& object);

// Substitutes in every object that allows it. Nothing is done without variables (as Flux does).
// Errors name the object's origin and what failed, never a variable's value.
result<void> substitute_objects(std::vector<manifest>& objects, const substitution& s, const limits& lim = {});

}  // namespace gitopsd::render
