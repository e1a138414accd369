#pragma once
// Errors of the core module: parsing of durations, identities and JSON.

#include "gitopsd/core/error.hpp"

namespace gitopsd::core {

enum class errc {
  invalid_duration = 1,
  invalid_identity,
  invalid_json,
  missing_field,
  wrong_type,
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.core";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::core

template <>
struct boost::system::is_error_code_enum<gitopsd::core::errc> : std::true_type {};
