#pragma once
// Internal: kustomize's ReplacementTransformer (the `replacements` field): copy one field of one
// object into fields of the objects its targets select.
#include "model.hpp"
#include "replacement_spec.hpp"

#include <string_view>
#include <vector>

namespace gitopsd::render::kustomize {

// A replacement field path split as kustomize splits it: on dots, "\." keeps a dot, a
// bracketed "[name=a.b]" stays whole and "[a.b]" names the key "a.b".
std::vector<std::string> split_field_path(std::string_view path);

// The `replacements` list of `file`: inline entries and `path:` files (one replacement or a list).
// Not `strict` (a ReplacementTransformer config, as a `path:` file): unknown fields are skipped.
result<std::vector<replacement_spec>> read_replacements(const file_tree& tree, const std::string& dir,
                                                        const std::string& file, const rapidjson::Value& list,
                                                        const limits& lim, bool strict = true);

// Runs the replacements in order over the objects; errors name `file`.
result<void> apply_replacements(resmap& ra, const std::vector<replacement_spec>& specs, const std::string& file);

}  // namespace gitopsd::render::kustomize
