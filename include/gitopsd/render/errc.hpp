#pragma once
// Errors of the render stage: reading YAML/JSON manifests, walking folders, building kustomizations.

#include "gitopsd/core/error.hpp"

namespace gitopsd::render {

enum class errc {
  invalid_yaml = 1,    // syntax error, or a value JSON cannot hold
  limit_exceeded,      // file size, nesting depth, alias expansion, document count
  duplicate_key,
  invalid_manifest,    // a document that is not a Kubernetes object
  read_failed,         // the file tree could not be read
  invalid_kustomization,
  unsupported,         // a kustomize feature gitopsd refuses rather than ignores
  conflict,            // two objects with the same identity, or a patch without a target
  stopped,             // stopped from outside: the reconcile's deadline
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.render";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::render

template <>
struct boost::system::is_error_code_enum<gitopsd::render::errc> : std::true_type {};
