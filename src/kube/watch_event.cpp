#include "gitopsd/kube/watch_event.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/status.hpp"

#include <fmt/format.h>

namespace gitopsd::kube {

result<watch_line> parse_watch_line(std::string_view line, std::string_view subject) {
  auto doc = json::parse(line);
  if (!doc) return make_error(errc::malformed_response, fmt::format("{}: event {}", subject, doc.error().message));
  auto type = json::get_string(*doc, "type");
  if (!type || !doc->IsObject())
    return make_error(errc::malformed_response, fmt::format("{}: event without type or object", subject));
  auto it = doc->FindMember("object");
  if (it == doc->MemberEnd() || !it->value.IsObject())
    return make_error(errc::malformed_response, fmt::format("{}: event without type or object", subject));
  if (*type == "ERROR") {
    std::string status = json::serialize(it->value);
    long code = static_cast<long>(json::get_int(it->value, "code").value_or(500));
    return status_error(code, status, subject);
  }
  if (*type != "ADDED" && *type != "MODIFIED" && *type != "DELETED" && *type != "BOOKMARK")
    return make_error(errc::malformed_response, fmt::format("{}: unknown event type \"{}\"", subject, *type));
  watch_line out;
  out.type = std::string(*type);
  // Make the event's object the document's root without copying it.
  rapidjson::Value object;
  object.Swap(it->value);
  static_cast<rapidjson::Value&>(*doc).Swap(object);
  out.object = std::move(*doc);
  out.resource_version = std::string(json::get_string(out.object, "metadata", "resourceVersion").value_or(""));
  return out;
}

watch_step after_watch_ended(const std::optional<error>& failure, bool in_stream) {
  if (!failure) return watch_step::resume;
  const auto& code = failure->code;
  if (code == errc::cancelled) return watch_step::stop;
  if (code == errc::gone) return watch_step::relist;
  // A malformed answer to the request itself will be malformed again; one bad event in a stream
  // is worth a fresh watch.
  if (code == errc::malformed_response) return in_stream ? watch_step::retry_later : watch_step::stop;
  if (is_retriable(code) || code == errc::request_timeout) return watch_step::retry_later;
  return watch_step::stop;
}

}  // namespace gitopsd::kube
