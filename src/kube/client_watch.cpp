#include "client_state.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/kube/line_splitter.hpp"
#include "gitopsd/kube/status.hpp"
#include "gitopsd/kube/url.hpp"
#include "gitopsd/kube/watch_event.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>

namespace asio = boost::asio;

namespace gitopsd::kube {

const char* to_string(watch_event_type t) {
  switch (t) {
    case watch_event_type::added: return "ADDED";
    case watch_event_type::modified: return "MODIFIED";
    case watch_event_type::deleted: return "DELETED";
    case watch_event_type::bookmark: return "BOOKMARK";
    case watch_event_type::reset: return "RESET";
    case watch_event_type::synced: return "SYNCED";
  }
  return "?";
}

namespace {

watch_event_type type_of(std::string_view t) {
  if (t == "ADDED") return watch_event_type::added;
  if (t == "MODIFIED") return watch_event_type::modified;
  if (t == "DELETED") return watch_event_type::deleted;
  return watch_event_type::bookmark;
}

constexpr std::chrono::milliseconds max_reconnect_delay{5000};

}  // namespace

task<void> client::watch(group_version_kind gvk, std::string ns, watch_options options,
                         std::function<void(watch_event&)> on_event) {
  auto s = state_;
  std::string what = fmt::format("watch {}{}", gvk.kind, ns.empty() ? "" : fmt::format(" in {}", ns));
  auto info = co_await resource_for(gvk);
  if (!info) co_return info.error().wrap(what);
  std::string path = build_path({info->group, info->version, info->plural, info->namespaced ? std::string(ns) : "", {}, {}});
  std::string rv = options.resource_version;
  bool need_list = rv.empty();
  std::chrono::milliseconds delay{0};

  auto pause = [&]() -> asio::awaitable<bool> {
    delay = std::clamp(delay * 2, std::chrono::milliseconds(100), max_reconnect_delay);
    asio::steady_timer timer(s->executor, delay);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return !ec;
  };

  for (;;) {
    if (need_list) {
      list_options lo;
      lo.label_selector = options.label_selector;
      lo.field_selector = options.field_selector;
      lo.metadata_only = options.metadata_only;
      auto listed = co_await list(gvk, ns, lo);
      if (!listed) {
        if (listed.error().code == errc::cancelled) co_return listed.error();
        if (!is_retriable(listed.error().code)) co_return listed.error();
        if (!co_await pause()) co_return make_error(errc::cancelled, what + ": cancelled");
        continue;
      }
      watch_event reset{watch_event_type::reset, rapidjson::Document()};
      on_event(reset);
      auto& items = (*listed)["items"];
      std::string api_version = gvk.api_version();
      for (auto& item : items.GetArray()) {
        watch_event e{watch_event_type::added, rapidjson::Document()};
        e.object.CopyFrom(item, e.object.GetAllocator());
        if (!options.metadata_only && !e.object.HasMember("kind")) {
          json::set_string(e.object, "apiVersion", api_version, e.object.GetAllocator());
          json::set_string(e.object, "kind", gvk.kind, e.object.GetAllocator());
        }
        on_event(e);
      }
      watch_event synced{watch_event_type::synced, rapidjson::Document()};
      on_event(synced);
      rv = std::string(json::get_string(*listed, "metadata", "resourceVersion").value_or(""));
      need_list = false;
    }

    query q;
    q.add("watch", "1")
        .add_if(!rv.empty(), "resourceVersion", rv)
        .add_if(options.bookmarks, "allowWatchBookmarks", "true")
        .add("timeoutSeconds", std::to_string(options.server_timeout.count()))
        .add_if(!options.label_selector.empty(), "labelSelector", options.label_selector)
        .add_if(!options.field_selector.empty(), "fieldSelector", options.field_selector);

    line_splitter splitter;
    std::optional<error> stream_error;
    std::size_t events = 0;
    request_spec spec;
    spec.verb = "watch";
    spec.method = "GET";
    spec.path = path + q.str();
    spec.accept = options.metadata_only ? "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"
                                        : "application/json";
    spec.subject = what;
    spec.bounded = false;
    spec.retry = false;
    // The server ends the request after server_timeout; allow it some slack before giving up on a
    // silent connection.
    spec.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options.server_timeout) +
                   std::chrono::seconds(30);
    spec.on_data = [&](std::string_view chunk) {
      bool ok = splitter.feed(chunk, [&](std::string_view line) {
        if (stream_error) return;
        auto parsed = parse_watch_line(line, what);
        if (!parsed) {
          stream_error = parsed.error();
          return;
        }
        if (!parsed->resource_version.empty()) rv = parsed->resource_version;
        ++events;
        watch_event e{type_of(parsed->type), std::move(parsed->object)};
        on_event(e);
      });
      if (!ok && !stream_error)
        stream_error = make_error(errc::malformed_response, what + ": an event is larger than the line limit");
      return !stream_error;
    };
    auto r = co_await send(s, who_, std::move(spec));
    if (events > 0) delay = std::chrono::milliseconds(0);
    std::optional<error> failure = stream_error;
    if (!failure && !r) failure = r.error();
    switch (after_watch_ended(failure, stream_error.has_value())) {
      case watch_step::resume: continue;
      case watch_step::relist:
        log::info("watch resourceVersion expired, listing again", {{"watch", what}});
        need_list = true;
        continue;
      case watch_step::stop: co_return *failure;
      case watch_step::retry_later: break;
    }
    log::debug("watch interrupted, resuming", {{"watch", what}, {"error", failure->what()}});
    if (!co_await pause()) co_return make_error(errc::cancelled, what + ": cancelled");
  }
}

}  // namespace gitopsd::kube
