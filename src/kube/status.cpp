#include "gitopsd/kube/status.hpp"

#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

namespace gitopsd::kube {

std::optional<api_status> parse_status(std::string_view body) {
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject()) return std::nullopt;
  if (json::get_string(*doc, "kind") != std::optional<std::string_view>("Status")) return std::nullopt;
  api_status s;
  s.status = std::string(json::get_string(*doc, "status").value_or(""));
  s.reason = std::string(json::get_string(*doc, "reason").value_or(""));
  s.message = std::string(json::get_string(*doc, "message").value_or(""));
  s.code = static_cast<long>(json::get_int(*doc, "code").value_or(0));
  if (auto retry = json::get_int(*doc, "details", "retryAfterSeconds")) s.retry_after_seconds = static_cast<long>(*retry);
  if (const auto* causes = json::find(*doc, "details", "causes"); causes != nullptr && causes->IsArray()) {
    for (const auto& c : causes->GetArray()) {
      s.causes.push_back({std::string(json::get_string(c, "reason").value_or("")),
                          std::string(json::get_string(c, "message").value_or("")),
                          std::string(json::get_string(c, "field").value_or(""))});
    }
  }
  return s;
}

errc errc_for(long http_status, std::string_view reason) {
  if (reason == "BadRequest") return errc::bad_request;
  if (reason == "Unauthorized") return errc::unauthorized;
  if (reason == "Forbidden") return errc::forbidden;
  if (reason == "NotFound") return errc::not_found;
  if (reason == "MethodNotAllowed") return errc::method_not_allowed;
  if (reason == "AlreadyExists") return errc::already_exists;
  if (reason == "Conflict") return errc::conflict;
  if (reason == "Gone" || reason == "Expired") return errc::gone;
  if (reason == "Invalid") return errc::invalid;
  if (reason == "ServerTimeout" || reason == "Timeout") return errc::server_timeout;
  if (reason == "TooManyRequests") return errc::too_many_requests;
  if (reason == "InternalError") return errc::internal_error;
  if (reason == "ServiceUnavailable") return errc::service_unavailable;
  if (reason == "UnsupportedMediaType") return errc::unsupported_media_type;
  switch (http_status) {
    case 400: return errc::bad_request;
    case 401: return errc::unauthorized;
    case 403: return errc::forbidden;
    case 404: return errc::not_found;
    case 405: return errc::method_not_allowed;
    case 409: return errc::conflict;
    case 410: return errc::gone;
    case 415: return errc::unsupported_media_type;
    case 422: return errc::invalid;
    case 429: return errc::too_many_requests;
    case 500: return errc::internal_error;
    case 503: return errc::service_unavailable;
    case 504: return errc::server_timeout;
    default: break;
  }
  if (http_status >= 500) return errc::internal_error;
  return errc::unexpected_status;
}

bool is_secret_path(std::string_view path) {
  path = path.substr(0, path.find('?'));
  constexpr std::string_view core = "/api/v1/";
  if (!path.starts_with(core)) return false;
  path.remove_prefix(core.size());
  if (path.starts_with("namespaces/")) {
    path.remove_prefix(std::string_view("namespaces/").size());
    auto slash = path.find('/');
    if (slash == std::string_view::npos) return false;
    path.remove_prefix(slash + 1);
  }
  return path == "secrets" || path.starts_with("secrets/");
}

error status_error(long http_status, std::string_view body, std::string_view subject, bool secret_body) {
  auto status = parse_status(body);
  errc code = errc_for(http_status, status ? std::string_view(status->reason) : std::string_view());
  // Server-side apply answers a field of the wrong type with a 500; it is the object that is
  // invalid, and asking again cannot help.
  bool type_error = status && status->message.find("failed to create typed patch object") != std::string::npos;
  if (code == errc::internal_error && type_error) code = errc::invalid;
  std::string text = fmt::format("{}: {} (HTTP {})", subject, describe(code), http_status);
  bool may_quote_values = code == errc::bad_request || code == errc::invalid || code == errc::internal_error ||
                          code == errc::unexpected_status;
  if (secret_body && may_quote_values) {
    text += ": the API server's message is not shown, as it may quote secret values";
    if (type_error) text += " (a field has the wrong type, such as a number where data or stringData needs a string)";
    std::string fields;
    if (status)
      for (const auto& c : status->causes)
        if (!c.field.empty()) fields += (fields.empty() ? "" : ", ") + c.field;
    if (!fields.empty()) text += "; fields: " + fields;
    return make_error(code, std::move(text));
  }
  if (status && !status->message.empty()) {
    text += fmt::format(": \"{}\"", status->message);
    std::string causes;
    for (const auto& c : status->causes) {
      // The server usually repeats causes in its message; list only the ones it did not.
      if (!c.message.empty() && status->message.find(c.message) != std::string::npos) continue;
      if (!causes.empty()) causes += "; ";
      causes += c.field.empty() ? c.message : fmt::format("{}: {}", c.field, c.message);
    }
    if (!causes.empty()) text += "; causes: " + causes;
  } else if (!status) {
    // Not a Status (a proxy's page, a truncated body): quote the beginning, it is not an object.
    std::string_view head = body.substr(0, 200);
    std::string clean;
    for (char c : head) clean += (c == '\n' || c == '\r') ? ' ' : c;
    if (!clean.empty()) text += fmt::format(": \"{}\"", clean);
  }
  return make_error(code, std::move(text));
}

bool is_retriable(const boost::system::error_code& code) {
  if (code.category() != category::instance()) return false;
  switch (static_cast<errc>(code.value())) {
    case errc::too_many_requests:
    case errc::server_timeout:
    case errc::internal_error:
    case errc::service_unavailable:
    case errc::transport_failed:
    case errc::connect_failed:
      return true;
    default:
      return false;
  }
}

}  // namespace gitopsd::kube
