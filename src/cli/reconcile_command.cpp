#include "gitopsd/cli/reconcile_command.hpp"

#include "gitopsd/cli/reconcile_follow.hpp"
#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/json.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <iostream>
#include <optional>
#include <variant>

namespace gitopsd::cli {
namespace {

namespace asio = boost::asio;

object_ref self(const session& s, const std::string& name) {
  return controller::gitrepository_ref(s.namespace_, name);
}

std::string subject(const session& s, const std::string& name) { return fmt::format("GitRepository {}/{}", s.namespace_, name); }

// A merge patch; the answer is the object after it.
kube::task<rapidjson::Document> patch(session& s, const std::string& name, std::string body) {
  auto ref = self(s, name);
  kube::write_options options;
  options.field_manager = "gitopsd-cli";
  auto patched = co_await s.client.patch(ref, kube::patch_type::merge, body, options);
  if (!patched) co_return make_error(patched.error().code, describe_failure(patched.error(), subject(s, name), s.server));
  co_return std::move(*patched);
}

std::string requested_body(const std::string& stamp, const char* spec) {
  rapidjson::Document body(rapidjson::kObjectType);
  auto& a = body.GetAllocator();
  auto& annotations = json::ensure_object(json::ensure_object(body, "metadata", a), "annotations", a);
  json::set_string(annotations, controller::requested_at_annotation, stamp, a);
  std::string text = json::serialize(body);
  if (spec == nullptr) return text;
  return fmt::format("{{\"spec\":{},{}", spec, text.substr(1));
}

std::string painted(const session& s, bool ok, const std::string& text) {
  if (!s.color) return text;
  return fmt::format("{}{}\x1b[0m", ok ? "\x1b[32m" : "\x1b[31m", text);
}

// Watches the object until the request is handled, printing each new step: a watch sees every
// status write, where reading now and then would miss the quick steps.
asio::awaitable<int> follow_request(session& s, std::string name, std::string stamp, std::chrono::seconds timeout) {
  using namespace asio::experimental::awaitable_operators;
  follow_state state{stamp, {}};
  std::optional<follow_update> end;
  rapidjson::Document last;
  asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
  std::function<void(kube::watch_event&)> on_event = [&](kube::watch_event& e) {
    if (end || (e.type != kube::watch_event_type::added && e.type != kube::watch_event_type::modified)) return;
    auto u = follow(e.object, state);
    if (u.step && s.output == "table") std::cout << "  " << *u.step << "\n" << std::flush;
    if (!u.done) return;
    end = std::move(u);
    last.CopyFrom(e.object, last.GetAllocator());
    timer.cancel();  // ends the wait below, which then cancels the watch
  };
  kube::watch_options options;
  options.field_selector = "metadata.name=" + name;
  group_version_kind gvk = controller::gitrepository_gvk();
  boost::system::error_code timer_error;
  auto watching = s.client.watch(gvk, s.namespace_, options, on_event);
  auto waiting = timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_error));
  auto first = co_await (std::move(watching) || std::move(waiting));
  if (end) {
    if (s.output != "table") print_structured(s, repo_json({view_of(last)})[0]);
    else std::cout << painted(s, end->ready, end->ready ? "ready: " : "not ready: ") << end->result << "\n" << std::flush;
    co_return end->ready ? exit_ok : exit_not_ready;
  }
  if (first.index() == 0) {
    const auto& watched = std::get<0>(first);
    co_return fail(watched ? subject(s, name) + ": the watch ended"
                           : describe_failure(watched.error(), subject(s, name), s.server));
  }
  std::cout.flush();
  std::cerr << "error: " << subject(s, name) << " did not handle the request within " << timeout.count() << "s"
            << (state.last_step.empty() ? std::string(" (is the agent running?)") : "; last step: " + state.last_step) << "\n";
  co_return exit_not_ready;
}

asio::awaitable<int> reconcile(session& s, reconcile_options options) {
  auto object = co_await get_gitrepository(s, options.name);
  if (!object) co_return fail(object.error().message);
  if (auto refused = refuse_reconcile(*object)) co_return fail(*refused);
  std::string stamp = request_stamp(std::chrono::system_clock::now());
  auto patched = co_await patch(s, options.name, requested_body(stamp, nullptr));
  if (!patched) co_return fail(patched.error().message);
  if (s.output == "table") std::cout << "requested reconcile of " << subject(s, options.name) << " at " << stamp << "\n" << std::flush;
  if (!options.wait) {
    if (s.output != "table") print_structured(s, repo_json({view_of(*patched)})[0]);
    co_return exit_ok;
  }
  co_return co_await follow_request(s, options.name, stamp, options.timeout);
}

asio::awaitable<int> suspend(session& s, std::string name) {
  auto patched = co_await patch(s, name, R"({"spec":{"suspend":true}})");
  if (!patched) co_return fail(patched.error().message);
  if (s.output == "table") std::cout << "suspended " << subject(s, name) << "\n";
  else print_structured(s, repo_json({view_of(*patched)})[0]);
  co_return exit_ok;
}

asio::awaitable<int> resume(session& s, reconcile_options options) {
  std::string stamp = request_stamp(std::chrono::system_clock::now());
  auto patched = co_await patch(s, options.name, requested_body(stamp, R"({"suspend":false})"));
  if (!patched) co_return fail(patched.error().message);
  if (s.output == "table") std::cout << "resumed " << subject(s, options.name) << "; requested reconcile at " << stamp << "\n" << std::flush;
  if (!options.wait) {
    if (s.output != "table") print_structured(s, repo_json({view_of(*patched)})[0]);
    co_return exit_ok;
  }
  co_return co_await follow_request(s, options.name, stamp, options.timeout);
}

}  // namespace

int run_reconcile(const kube_flags& flags, const reconcile_options& options) {
  return run_with_cluster(flags, [&](session& s) { return reconcile(s, options); });
}

int run_suspend(const kube_flags& flags, const std::string& name) {
  return run_with_cluster(flags, [&](session& s) { return suspend(s, name); });
}

int run_resume(const kube_flags& flags, const reconcile_options& options) {
  return run_with_cluster(flags, [&](session& s) { return resume(s, options); });
}

}  // namespace gitopsd::cli
