#pragma once
// metav1.Status -> typed errors. The message names the operation and object and quotes what the
// API server said, so a person can act on it without the body.

#include "gitopsd/core/error.hpp"
#include "gitopsd/kube/errc.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gitopsd::kube {

struct status_cause {
  std::string type;  // "FieldValueInvalid", "FieldManagerConflict", ...
  std::string message;
  std::string field;
};

struct api_status {
  std::string status;  // "Failure" or "Success"
  std::string reason;  // "NotFound", "Invalid", ...
  std::string message;
  long code = 0;
  std::vector<status_cause> causes;
  std::optional<long> retry_after_seconds;
};

// Parses a metav1.Status document; nullopt when the body is not one.
std::optional<api_status> parse_status(std::string_view body);

// The error value for an HTTP status and a Status reason (the reason wins when known).
errc errc_for(long http_status, std::string_view reason);

// The error for a failed response. `subject` says what was attempted, e.g. "apply ConfigMap/ns/x".
// Example: `apply ConfigMap/ns/x: invalid (HTTP 422): "ConfigMap \"x\" is invalid: ..."; causes:
// data.k: Invalid value`.
// `secret_body`: the request carried a Secret. The server's messages for a bad request, an invalid
// object or a type error may then quote its values ("got &value...{Value:123456}"), so they are
// left out: the message keeps the error, the HTTP status and the causes' field names. Errors of
// access, conflicts and availability say nothing of values and stay whole.
error status_error(long http_status, std::string_view body, std::string_view subject, bool secret_body = false);

// True for a path of the core Secret resource (a write to it carries Secret data).
bool is_secret_path(std::string_view path);

// True for failures worth another attempt: 429, 5xx, server timeouts, connection failures.
bool is_retriable(const boost::system::error_code& code);

}  // namespace gitopsd::kube
