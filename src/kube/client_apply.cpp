#include "client_state.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/same_object.hpp"
#include "gitopsd/kube/url.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>

namespace gitopsd::kube {
namespace {

constexpr const char* metadata_accept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

const char* validation_value(field_validation v) {
  switch (v) {
    case field_validation::server_default: return nullptr;
    case field_validation::ignore: return "Ignore";
    case field_validation::warn: return "Warn";
    case field_validation::strict: return "Strict";
  }
  return nullptr;
}

}  // namespace

task<apply_result> client::apply(const rapidjson::Value& object, apply_options options) {
  auto ref = object_ref_of(object);
  if (!ref) co_return make_error(errc::bad_request_input, "apply: " + ref.error().what());
  std::string what = fmt::format("apply {}{}", ref->display(), options.dry_run ? " (dry run)" : "");
  auto info = co_await resource_for(ref->gvk);
  if (!info) co_return info.error().wrap(what);
  std::string ns = info->namespaced ? (ref->namespace_.empty() ? state_->cfg.namespace_ : ref->namespace_) : "";
  std::string path = build_path({info->group, info->version, info->plural, ns, ref->name, {}});

  // What was there before: needed to tell "configured" from "unchanged". A dry run does not bump
  // resourceVersion, so it compares the whole object instead.
  std::optional<std::string> previous = options.previous_resource_version;
  const rapidjson::Value* previous_object = options.previous_object;
  rapidjson::Document read;  // keeps a freshly read previous object alive
  bool existed = true;
  bool read_first = options.detect_unchanged && (options.dry_run ? previous_object == nullptr : !previous);
  if (read_first) {
    auto current = co_await request("get", "GET", path, {}, {}, options.dry_run ? "application/json" : metadata_accept,
                                    what);
    if (!current) {
      if (current.error().code != errc::not_found) co_return current.error();
      existed = false;
    } else {
      auto doc = json::parse(current->body);
      if (!doc) co_return make_error(errc::malformed_response, fmt::format("{}: {}", what, doc.error().message));
      read = std::move(*doc);
      previous = std::string(json::get_string(read, "metadata", "resourceVersion").value_or(""));
      if (options.dry_run) previous_object = &read;
    }
  }

  query q;
  q.add("fieldManager", options.field_manager).add_if(options.force, "force", "true").add_if(options.dry_run, "dryRun", "All");
  if (const char* v = validation_value(options.validation)) q.add("fieldValidation", v);
  // A dry run writes nothing: its own verb keeps the request metrics honest about writes.
  const char* verb = options.dry_run ? "apply-dry-run" : "apply";
  request_spec spec;
  spec.verb = verb;
  spec.method = "PATCH";
  spec.path = path + q.str();
  spec.body = json::serialize(object);
  spec.content_type = "application/apply-patch+yaml";
  spec.subject = what;
  spec.secret_body = options.secret_values;
  auto r = co_await send(state_, who_, std::move(spec));
  if (!r) co_return r.error();
  auto doc = json::parse(r->body);
  if (!doc || !doc->IsObject())
    co_return make_error(errc::malformed_response, fmt::format("{}: response is not a JSON object", what));
  apply_result out;
  std::string rv(json::get_string(*doc, "metadata", "resourceVersion").value_or(""));
  if (r->status == 201 || !existed) {
    out.outcome = apply_outcome::created;
  } else if (options.dry_run) {
    // Changed since it was read (a controller writing status, say): compare with it as it is now.
    if (previous_object != nullptr && json::get_string(*previous_object, "metadata", "resourceVersion") != rv) {
      previous_object = nullptr;
      auto now = co_await get(*ref);
      if (now && json::get_string(*now, "metadata", "resourceVersion") == rv) {
        read = std::move(*now);
        previous_object = &read;
      }
    }
    out.outcome = previous_object != nullptr && same_object(*previous_object, *doc) ? apply_outcome::unchanged
                                                                                     : apply_outcome::configured;
  } else if (previous && *previous == rv) {
    out.outcome = apply_outcome::unchanged;
  } else {
    out.outcome = apply_outcome::configured;
  }
  out.object = std::move(*doc);
  co_return out;
}

task<rapidjson::Document> client::create_event(event_spec event) {
  std::string what = fmt::format("create Event for {}", event.regarding.display());
  std::string ns = event.regarding.namespace_.empty() ? "default" : event.regarding.namespace_;
  auto now = std::chrono::system_clock::now();
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  std::string stamp = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(now));
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  auto str = [&a](std::string_view v) { return rapidjson::Value(v.data(), static_cast<rapidjson::SizeType>(v.size()), a); };
  body.AddMember("apiVersion", "v1", a);
  body.AddMember("kind", "Event", a);
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("name", str(fmt::format("{}.{:x}", event.regarding.name, nanos)), a);
  metadata.AddMember("namespace", str(ns), a);
  body.AddMember("metadata", metadata, a);
  rapidjson::Value involved(rapidjson::kObjectType);
  involved.AddMember("apiVersion", str(event.regarding.gvk.api_version()), a);
  involved.AddMember("kind", str(event.regarding.gvk.kind), a);
  involved.AddMember("name", str(event.regarding.name), a);
  if (!event.regarding.namespace_.empty()) involved.AddMember("namespace", str(event.regarding.namespace_), a);
  if (!event.regarding_uid.empty()) involved.AddMember("uid", str(event.regarding_uid), a);
  body.AddMember("involvedObject", involved, a);
  body.AddMember("type", str(event.type), a);
  body.AddMember("reason", str(event.reason), a);
  body.AddMember("message", str(event.message), a);
  rapidjson::Value source(rapidjson::kObjectType);
  source.AddMember("component", str(event.component), a);
  body.AddMember("source", source, a);
  body.AddMember("reportingComponent", str(event.component), a);
  body.AddMember("firstTimestamp", str(stamp), a);
  body.AddMember("lastTimestamp", str(stamp), a);
  body.AddMember("count", 1, a);
  std::string path = build_path({"", "v1", "events", ns, {}, {}});
  auto r = co_await request("create", "POST", path, json::serialize(body), "application/json", "application/json", what);
  if (!r) co_return r.error();
  auto doc = json::parse(r->body);
  if (!doc) co_return make_error(errc::malformed_response, fmt::format("{}: {}", what, doc.error().message));
  co_return std::move(*doc);
}

}  // namespace gitopsd::kube
