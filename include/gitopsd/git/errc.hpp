#pragma once
// Errors of the Git source stage. Messages name the URL (never with credentials), the ref and the
// cause, so a person can act on them.

#include "gitopsd/core/error.hpp"

namespace gitopsd::git {

enum class errc {
  invalid_url = 1,
  url_not_allowed,
  invalid_ref,
  invalid_semver,
  ref_not_found,
  auth_failed,
  host_key_unknown,
  host_key_mismatch,
  tls_failed,
  network,
  timeout,
  cancelled,
  path_not_found,
  path_escape,
  too_large,
  not_a_directory,
  cache,
  internal,
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.git";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::git

template <>
struct boost::system::is_error_code_enum<gitopsd::git::errc> : std::true_type {};
