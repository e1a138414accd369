#include "gitopsd/kube/errc.hpp"

namespace gitopsd::kube {

const char* describe(errc e) {
  switch (e) {
    case errc::bad_request: return "bad request";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::not_found: return "not found";
    case errc::method_not_allowed: return "method not allowed";
    case errc::already_exists: return "already exists";
    case errc::conflict: return "conflict";
    case errc::gone: return "gone (resource version too old)";
    case errc::invalid: return "invalid";
    case errc::server_timeout: return "server timeout";
    case errc::too_many_requests: return "too many requests";
    case errc::internal_error: return "internal server error";
    case errc::service_unavailable: return "service unavailable";
    case errc::unsupported_media_type: return "unsupported media type";
    case errc::unexpected_status: return "unexpected HTTP status";
    case errc::transport_failed: return "connection to the API server failed";
    case errc::request_timeout: return "request timed out";
    case errc::cancelled: return "request cancelled";
    case errc::malformed_response: return "malformed response from the API server";
    case errc::unknown_kind: return "no API resource for this kind";
    case errc::bad_config: return "bad Kubernetes client configuration";
    case errc::unsupported_auth: return "unsupported authentication method";
    case errc::bad_request_input: return "object cannot be sent";
    case errc::connect_failed: return "cannot connect to the API server";
  }
  return "unknown kube error";
}

}  // namespace gitopsd::kube
