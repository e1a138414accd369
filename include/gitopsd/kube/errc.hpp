#pragma once
// Errors of the Kubernetes client: one value per metav1.Status reason the callers act on, plus the
// failures of configuration and transport.

#include "gitopsd/core/error.hpp"

namespace gitopsd::kube {

enum class errc {
  // From the API server (metav1.Status reason or HTTP status).
  bad_request = 1,
  unauthorized,
  forbidden,
  not_found,
  method_not_allowed,
  already_exists,
  conflict,
  gone,
  invalid,
  server_timeout,
  too_many_requests,
  internal_error,
  service_unavailable,
  unsupported_media_type,
  unexpected_status,
  // Ours.
  transport_failed,  // connection refused/reset, TLS failure, name resolution
  request_timeout,   // the per-request deadline passed
  cancelled,
  malformed_response,
  unknown_kind,  // discovery has no resource for the group/version/kind
  bad_config,
  unsupported_auth,
  bad_request_input,  // the caller passed an object we cannot send (no name, no kind)
  connect_failed,     // no connection could be made: nothing was sent
};

const char* describe(errc e);
inline constexpr char category_name[] = "gitopsd.kube";
using category = enum_category<errc, category_name, describe>;

inline boost::system::error_code make_error_code(errc e) { return category::code(e); }

}  // namespace gitopsd::kube

template <>
struct boost::system::is_error_code_enum<gitopsd::kube::errc> : std::true_type {};
