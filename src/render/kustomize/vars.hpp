#pragma once
// Internal: kustomize's `vars`. A var names one object (objref) and one of its fields; after the
// whole build, "$(NAME)" in the fields the varReference specs list is replaced by that field's value.
#include "model.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <unordered_map>
#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

// A var's value as kustomize carries it: text, a number or a boolean (kept as such where a field
// is exactly "$(NAME)"), or a map or list, which no reference can use.
struct var_value {
  enum class kind { text, integer, real, boolean, opaque } k = kind::text;
  std::string text;
  std::int64_t integer = 0;
  double real = 0;
  bool boolean = false;
  bool operator==(const var_value&) const = default;
};

using var_lookup = std::function<const var_value*(std::string_view name)>;

// kustomize's expansion of one string, in one pass: "$(NAME)" is the var's value (left as written
// when unknown or unusable), "$$" is "$", any other "$" stays. A string that is exactly "$(NAME)"
// takes the value's own type. Nothing when the text would grow past `max_text` bytes.
std::optional<var_value> expand_vars(std::string_view input, const var_lookup& find,
                                     std::size_t max_text = std::numeric_limits<std::size_t>::max());

// The `vars` list of kustomization `file`.
result<std::vector<var_spec>> read_vars(const rapidjson::Value& list, const std::string& file);

// The value at a var's dotted field path ("spec.ports[0].port", "spec.ports.0.port"): not found
// is invalid_kustomization; a float is kept as a number. Where `written` knows the text of the
// field (a null, a timestamp, an octal number), the value comes from that text as kustomize reads it,
// and an integer Go's strconv.Atoi cannot read is invalid_kustomization. `written` is sorted by
// pointer, as decode_documents gives it.
// A number or boolean at a pointer in `untagged` (a replacement created it) reads as its text.
// `lists_moved`: texts below lists were dropped (a strategic merge may have moved the elements), so
// a null, number or timestamp reached through a list is unsupported: its text is no longer known.
result<var_value> read_var_field(const rapidjson::Value& object, std::string_view path,
                                 const written_scalars& written = {}, const std::set<std::string>& untagged = {},
                                 bool lists_moved = false);

// A number's or boolean's text as kyaml writes it (Go's %v for a float).
std::string value_text(const rapidjson::Value& v);

// The vars of a whole build, one per name.
struct var_set {
  std::vector<var_spec> list;
  std::unordered_map<std::string, std::string> file_of;  // name -> declaring file
};

// At the end of a kustomization's transformers: each of its vars chooses its object among `ra`
// (by any name the object had) and joins `all`.
result<void> attach_vars(resmap& ra, const std::vector<var_spec>& vars, var_set& all);

// At the top, after names are final: reads every var and expands the `specs` fields of all objects.
// Refuses (unsupported) where an object's shared label or annotation values (resource::shared_values)
// would come out otherwise than in kustomize.
// The expansions together add at most `max_growth` bytes (a long value referenced many times).
result<void> resolve_vars(resmap& ra, var_set all, const std::vector<field_spec>& specs, std::size_t max_growth);

}  // namespace gitopsd::render::kustomize
