#include "gitopsd/kube/client.hpp"

#include "client_state.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/status.hpp"
#include "gitopsd/kube/url.hpp"
#include "gitopsd/core/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

namespace asio = boost::asio;

namespace gitopsd::kube {

const char* to_string(apply_outcome o) {
  switch (o) {
    case apply_outcome::created: return "created";
    case apply_outcome::configured: return "configured";
    case apply_outcome::unchanged: return "unchanged";
  }
  return "?";
}

result<client> client::create(asio::any_io_executor executor, config cfg, client_options options) {
  if (cfg.server.empty()) return make_error(errc::bad_config, "no API server URL in the configuration");
  auto s = std::make_shared<state>(executor, std::move(cfg), std::move(options));
  return client(std::move(s), {});
}

client client::as(impersonation who) const { return client(state_, std::move(who)); }
const config& client::configuration() const { return state_->cfg; }
const request_metrics& client::metrics() const { return state_->metrics; }
const transport& client::connection() const { return state_->http; }
std::size_t client::discovery_entries() const { return state_->discovery.size(); }

task<http_response> client::request(std::string verb, std::string method, std::string path, std::string body,
                                    std::string content_type, std::string accept, std::string subject) {
  request_spec spec;
  spec.verb = std::move(verb);
  spec.method = std::move(method);
  spec.path = std::move(path);
  spec.body = std::move(body);
  spec.content_type = std::move(content_type);
  spec.accept = std::move(accept);
  spec.subject = std::move(subject);
  co_return co_await send(state_, who_, std::move(spec));
}

task<http_response> send(std::shared_ptr<client::state> s, impersonation who, request_spec spec) {
  std::string what = spec.subject.empty() ? fmt::format("{} {}", spec.method, spec.path) : spec.subject;
  bool reloaded_token = false;
  for (int attempt = 1;; ++attempt) {
    auto wait = s->bucket.reserve(token_bucket::clock::now());
    if (wait.count() > 0) {
      asio::steady_timer timer(s->executor, wait);
      auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return make_error(errc::cancelled, fmt::format("{}: cancelled", what));
    }
    http_request req;
    req.method = spec.method;
    req.url = s->cfg.server + spec.path;
    req.body = spec.body;
    req.timeout = spec.timeout.value_or(s->options.request_timeout);
    req.on_data = spec.on_data;
    req.counts_toward_limit = spec.bounded;
    if (!spec.accept.empty()) req.headers.emplace_back("Accept", spec.accept);
    if (!spec.content_type.empty()) req.headers.emplace_back("Content-Type", spec.content_type);
    const std::string& token = s->tokens.current();
    if (!token.empty()) req.headers.emplace_back("Authorization", "Bearer " + token);
    if (!who.user.empty()) req.headers.emplace_back("Impersonate-User", who.user);
    for (const auto& g : who.groups) req.headers.emplace_back("Impersonate-Group", g);

    auto& via = spec.on_data ? s->streams : s->http;
    auto response = co_await via.perform(std::move(req));
    error failure;
    std::optional<std::chrono::seconds> retry_after;
    if (!response) {
      s->metrics.count(spec.verb, 0);
      failure = response.error();
      failure.message = fmt::format("{}: {}", what, failure.message);
      if (failure.code == errc::cancelled) co_return failure;
    } else {
      s->metrics.count(spec.verb, response->status);
      if (response->status >= 200 && response->status < 300) co_return std::move(*response);
      if (response->status == 401 && s->tokens.from_file() && !reloaded_token) {
        // The token may have rotated since we last looked: read it again and retry once.
        reloaded_token = true;
        s->tokens.reload();
        --attempt;
        continue;
      }
      failure = status_error(response->status, response->body, what,
                             !spec.body.empty() && (spec.secret_body || is_secret_path(spec.path)));
      retry_after = response->retry_after;
      if (!retry_after && failure.code == errc::too_many_requests) {
        if (auto st = parse_status(response->body); st && st->retry_after_seconds)
          retry_after = std::chrono::seconds(*st->retry_after_seconds);
      }
    }
    if (!spec.retry) co_return failure;
    double random01 = std::uniform_real_distribution<double>(0.0, 1.0)(s->rng);
    auto delay = next_retry(s->options.retry, attempt, failure.code, retry_after, random01);
    if (!delay) {
      if (attempt > 1) failure.message += fmt::format(" (after {} attempts)", attempt);
      co_return failure;
    }
    if (!may_resend(spec.method, failure.code)) {
      failure.message += " (not sent again: the server may have acted on it)";
      co_return failure;
    }
    s->metrics.count_retry();
    log::debug("retrying Kubernetes request",
               {{"request", what}, {"attempt", attempt}, {"delay_ms", static_cast<std::int64_t>(delay->count())},
                {"error", failure.code.message()}});
    asio::steady_timer timer(s->executor, *delay);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return make_error(errc::cancelled, fmt::format("{}: cancelled", what));
  }
}

namespace {

result<rapidjson::Document> parse_body(const http_response& r, std::string_view what) {
  auto doc = json::parse(r.body);
  if (!doc) return make_error(errc::malformed_response, fmt::format("{}: {}", what, doc.error().message));
  if (!doc->IsObject()) return make_error(errc::malformed_response, fmt::format("{}: response is not an object", what));
  return std::move(*doc);
}

std::string namespace_for(const resource_info& info, std::string_view ns, const config& cfg) {
  if (!info.namespaced) return {};
  return ns.empty() ? cfg.namespace_ : std::string(ns);
}

}  // namespace

task<rapidjson::Document> client::get(object_ref ref) {
  std::string what = "get " + ref.display();
  auto info = co_await resource_for(ref.gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group, info->version, info->plural, namespace_for(*info, ref.namespace_, state_->cfg), ref.name,
                  {}};
  auto r = co_await request("get", "GET", build_path(p), {}, {}, "application/json", what);
  if (!r) co_return r.error();
  co_return parse_body(*r, what);
}

task<rapidjson::Document> client::list(group_version_kind gvk, std::string ns, list_options options) {
  std::string what = fmt::format("list {}{}", gvk.kind, ns.empty() ? "" : fmt::format(" in {}", ns));
  auto info = co_await resource_for(gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group, info->version, info->plural, info->namespaced ? std::string(ns) : std::string(), {}, {}};
  std::string base = build_path(p);
  std::string accept = options.metadata_only ? "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
                                             : "application/json";
  rapidjson::Document all(rapidjson::kObjectType);
  auto& a = all.GetAllocator();
  rapidjson::Value items(rapidjson::kArrayType);
  std::string continue_token;
  std::string resource_version;
  int pages = 0;
  do {
    query q;
    q.add_if(!options.label_selector.empty(), "labelSelector", options.label_selector)
        .add_if(!options.field_selector.empty(), "fieldSelector", options.field_selector)
        .add_if(options.page_size > 0, "limit", std::to_string(options.page_size))
        .add_if(!continue_token.empty(), "continue", continue_token);
    auto r = co_await request("list", "GET", base + q.str(), {}, {}, accept, what);
    if (!r) co_return r.error();
    auto page = parse_body(*r, what);
    if (!page) co_return page.error();
    ++pages;
    if (pages == 1) {
      auto api_version = json::get_string(*page, "apiVersion").value_or("v1");
      auto kind = json::get_string(*page, "kind").value_or("List");
      all.AddMember("apiVersion", rapidjson::Value(api_version.data(), static_cast<rapidjson::SizeType>(api_version.size()), a), a);
      all.AddMember("kind", rapidjson::Value(kind.data(), static_cast<rapidjson::SizeType>(kind.size()), a), a);
    }
    if (const auto* page_items = json::find(*page, "items");
        page_items != nullptr && page_items->IsArray()) {
      for (const auto& item : page_items->GetArray()) items.PushBack(rapidjson::Value(item, a), a);
    }
    continue_token = std::string(json::get_string(*page, "metadata", "continue").value_or(""));
    resource_version = std::string(json::get_string(*page, "metadata", "resourceVersion").value_or(""));
  } while (!continue_token.empty());
  rapidjson::Value metadata(rapidjson::kObjectType);
  metadata.AddMember("resourceVersion", rapidjson::Value(resource_version.c_str(), a), a);
  all.AddMember("metadata", metadata, a);
  all.AddMember("items", items, a);
  co_return all;
}

task<rapidjson::Document> client::create(const rapidjson::Value& object, write_options options) {
  auto ref = object_ref_of(object);
  if (!ref) co_return make_error(errc::bad_request_input, "create: " + ref.error().what());
  std::string what = "create " + ref->display();
  auto info = co_await resource_for(ref->gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group, info->version, info->plural, namespace_for(*info, ref->namespace_, state_->cfg), {}, {}};
  query q;
  q.add_if(!options.field_manager.empty(), "fieldManager", options.field_manager).add_if(options.dry_run, "dryRun", "All");
  auto r = co_await request("create", "POST", build_path(p) + q.str(), json::serialize(object), "application/json",
                            "application/json", what);
  if (!r) co_return r.error();
  co_return parse_body(*r, what);
}

task<void> client::remove(object_ref ref, delete_options options) {
  std::string what = "delete " + ref.display();
  auto info = co_await resource_for(ref.gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group, info->version, info->plural, namespace_for(*info, ref.namespace_, state_->cfg), ref.name,
                  {}};
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  body.AddMember("apiVersion", "v1", a);
  body.AddMember("kind", "DeleteOptions", a);
  switch (options.policy) {
    case propagation::unset: break;
    case propagation::background: body.AddMember("propagationPolicy", "Background", a); break;
    case propagation::foreground: body.AddMember("propagationPolicy", "Foreground", a); break;
    case propagation::orphan: body.AddMember("propagationPolicy", "Orphan", a); break;
  }
  if (!options.precondition_uid.empty() || !options.precondition_resource_version.empty()) {
    rapidjson::Value pre(rapidjson::kObjectType);
    if (!options.precondition_uid.empty()) pre.AddMember("uid", rapidjson::Value(options.precondition_uid.c_str(), a), a);
    if (!options.precondition_resource_version.empty())
      pre.AddMember("resourceVersion", rapidjson::Value(options.precondition_resource_version.c_str(), a), a);
    body.AddMember("preconditions", pre, a);
  }
  if (options.dry_run) {
    rapidjson::Value dry(rapidjson::kArrayType);
    dry.PushBack("All", a);
    body.AddMember("dryRun", dry, a);
  }
  auto r = co_await request("delete", "DELETE", build_path(p), json::serialize(body), "application/json",
                            "application/json", what);
  if (!r) co_return r.error();
  co_return result<void>{};
}

task<rapidjson::Document> client::patch(object_ref ref, patch_type type, std::string body, write_options options,
                                        std::string subresource) {
  std::string what = fmt::format("patch {}{}{}", ref.display(), subresource.empty() ? "" : " ", subresource);
  auto info = co_await resource_for(ref.gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group,   info->version,        info->plural, namespace_for(*info, ref.namespace_, state_->cfg),
                  ref.name,      std::string(subresource)};
  query q;
  q.add_if(!options.field_manager.empty(), "fieldManager", options.field_manager).add_if(options.dry_run, "dryRun", "All");
  std::string content_type =
      type == patch_type::merge ? "application/merge-patch+json" : "application/json-patch+json";
  auto r = co_await request("patch", "PATCH", build_path(p) + q.str(), std::string(body), content_type,
                            "application/json", what);
  if (!r) co_return r.error();
  co_return parse_body(*r, what);
}

task<rapidjson::Document> client::update_status(const rapidjson::Value& object, write_options options) {
  auto ref = object_ref_of(object);
  if (!ref) co_return make_error(errc::bad_request_input, "update status: " + ref.error().what());
  std::string what = "update status of " + ref->display();
  auto info = co_await resource_for(ref->gvk);
  if (!info) co_return info.error().wrap(what);
  resource_path p{info->group, info->version,  info->plural, namespace_for(*info, ref->namespace_, state_->cfg),
                  ref->name,   "status"};
  query q;
  q.add_if(!options.field_manager.empty(), "fieldManager", options.field_manager).add_if(options.dry_run, "dryRun", "All");
  auto r = co_await request("update", "PUT", build_path(p) + q.str(), json::serialize(object), "application/json",
                            "application/json", what);
  if (!r) co_return r.error();
  co_return parse_body(*r, what);
}

}  // namespace gitopsd::kube
