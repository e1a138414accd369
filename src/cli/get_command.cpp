#include "gitopsd/cli/get_command.hpp"

#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <iostream>
#include <map>

namespace gitopsd::cli {
namespace {

namespace asio = boost::asio;

painter ready_painter(const session& s, bool all_namespaces) {
  if (!s.color) return {};
  return [ready = ready_column(all_namespaces)](std::size_t column, const std::string& cell, const std::string& padded) {
    return column == ready ? colored_status(cell, padded) : padded;
  };
}

void print_views(const session& s, const std::vector<repo_view>& views, bool all_namespaces, bool single, bool header) {
  if (s.output != "table") {
    auto doc = repo_json(views);
    if (single && doc.Size() == 1) print_structured(s, doc[0]);
    else print_structured(s, doc);
    return;
  }
  std::vector<row> rows;
  auto now = std::chrono::system_clock::now();
  for (const auto& v : views) rows.push_back(repo_row(v, all_namespaces, now));
  std::string text = format_table(repo_header(all_namespaces), rows, ready_painter(s, all_namespaces));
  if (!header) text = text.substr(text.find('\n') + 1);
  std::cout << text << std::flush;
}

asio::awaitable<int> get(session& s, get_options options, bool all_namespaces) {
  std::vector<repo_view> views;
  std::string resource_version;
  group_version_kind gvk = controller::gitrepository_gvk();
  if (!options.name.empty()) {
    auto object = co_await get_gitrepository(s, options.name);
    if (!object) co_return fail(object.error().message);
    views.push_back(view_of(*object));
    resource_version = json::get_string(*object, "metadata", "resourceVersion").value_or("");
  } else {
    std::string ns = all_namespaces ? std::string() : s.namespace_;
    auto list = co_await s.client.list(gvk, ns);
    if (!list) {
      std::string where = all_namespaces ? "GitRepository objects in all namespaces" : fmt::format("GitRepository objects in namespace {}", ns);
      co_return fail(describe_failure(list.error(), where, s.server));
    }
    if (const auto* items = json::find(*list, "items"); items && items->IsArray())
      for (const auto& item : items->GetArray()) views.push_back(view_of(item));
    resource_version = json::get_string(*list, "metadata", "resourceVersion").value_or("");
    if (views.empty() && !options.watch && s.output == "table") {
      std::cerr << (all_namespaces ? std::string("No GitRepository objects found.\n")
                                   : fmt::format("No GitRepository objects found in namespace {}.\n", ns));
      co_return exit_ok;
    }
  }
  print_views(s, views, all_namespaces, !options.name.empty(), true);
  if (!options.watch) co_return exit_ok;

  // Rows already shown, so a status write that changes nothing visible prints nothing.
  bool table = s.output == "table";
  std::map<std::string, row> shown;
  for (const auto& v : views) shown[v.namespace_ + "/" + v.name] = watch_key(v, all_namespaces, table);
  kube::watch_options watch;
  watch.resource_version = resource_version;
  if (!options.name.empty()) watch.field_selector = "metadata.name=" + options.name;
  std::string ns = all_namespaces ? std::string() : s.namespace_;
  auto watched = co_await s.client.watch(gvk, ns, watch, [&](kube::watch_event& e) {
    if (e.type != kube::watch_event_type::added && e.type != kube::watch_event_type::modified) return;
    auto v = view_of(e.object);
    auto key = watch_key(v, all_namespaces, table);
    auto& previous = shown[v.namespace_ + "/" + v.name];
    if (previous == key) return;
    previous = std::move(key);
    if (table) print_views(s, {v}, all_namespaces, true, false);
    else if (s.output == "json") std::cout << json::serialize(repo_json({v})[0]) << "\n" << std::flush;
    else {
      std::cout << "---\n";
      print_structured(s, repo_json({v})[0]);
    }
  });
  if (!watched) co_return fail(describe_failure(watched.error(), "watch of GitRepository objects", s.server));
  co_return exit_ok;
}

}  // namespace

int run_get(const kube_flags& flags, const get_options& options) {
  return run_with_cluster(flags, [&](session& s) { return get(s, options, flags.all_namespaces); });
}

}  // namespace gitopsd::cli
