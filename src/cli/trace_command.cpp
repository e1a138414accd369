#include "gitopsd/cli/trace_command.hpp"

#include "gitopsd/cli/repo_view.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/cli/trace_target.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/sync/health.hpp"
#include "gitopsd/sync/ownership.hpp"

#include <fmt/format.h>

#include <iostream>

namespace gitopsd::cli {
namespace {

namespace asio = boost::asio;

// The version the cluster prefers for a group (GET /apis/<group>).
kube::task<std::string> preferred_version(session& s, std::string group) {
  std::string path = "/apis/" + group;
  auto answer = co_await s.client.request("get", "GET", path);
  if (!answer) co_return answer.error();
  auto doc = json::parse(answer->body);
  if (!doc) co_return doc.error();
  auto version = json::get_string(*doc, "preferredVersion", "version");
  if (!version) co_return make_error(kube::errc::malformed_response, "no preferredVersion");
  co_return std::string(*version);
}

std::string source_of(const rapidjson::Value& owner) {
  std::string text(json::get_string(owner, "spec", "url").value_or(""));
  if (auto path = json::get_string(owner, "spec", "path")) text += fmt::format(", path {}", *path);
  if (const auto* ref = json::find(owner, "spec", "ref"); ref && ref->IsObject())
    for (const auto& m : ref->GetObject())
      if (m.value.IsString()) text += fmt::format(", {} {}", json::view(m.name), json::view(m.value));
  return text;
}

void add(rapidjson::Value& o, const char* key, const std::string& value, rapidjson::Document::AllocatorType& a) {
  json::set_string(o, key, value, a);
}

asio::awaitable<int> trace(session& s, std::string text) {
  auto target = parse_trace_target(text);
  if (!target) co_return fail(target.error().message);
  group_version_kind gvk;
  if (target->group_given) {
    auto version = co_await preferred_version(s, target->group);
    if (!version) co_return fail(describe_failure(version.error(), "API group " + target->group, s.server));
    gvk = {target->group, *version, target->kind};
  } else if (auto known = well_known_kind(target->kind)) {
    gvk = *known;
  } else {
    co_return fail(fmt::format("unknown kind {}: name its API group as KIND.GROUP/NAME", target->kind));
  }
  auto info = co_await s.client.resource_for(gvk);
  if (!info) co_return fail(describe_failure(info.error(), gvk.kind, s.server));
  object_ref ref{gvk, info->namespaced ? s.namespace_ : std::string(), target->name};
  auto object = co_await s.client.get(ref);
  if (!object) co_return fail(describe_failure(object.error(), ref.display(), s.server));
  auto health = sync::assess_health(*object);
  auto marks = owner_of(*object, ref);

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  add(out, "object", ref.display(), a);
  add(out, "health", sync::to_string(health.status), a);
  std::vector<row> lines{{"Object:", ref.display()},
                         {"Health:", health.message.empty() ? sync::to_string(health.status)
                                                            : fmt::format("{} ({})", sync::to_string(health.status), health.message)}};
  int code = exit_not_ready;
  if (!marks.managed) {
    std::string why = marks.problem.empty() ? "not managed by gitopsd (no tracking id)" : marks.problem;
    add(out, "managedBy", "", a);
    add(out, "problem", why, a);
    lines.push_back({"Managed by:", why});
  } else {
    std::string owner_key = fmt::format("{}/{}", marks.namespace_, marks.name);
    add(out, "managedBy", owner_key, a);
    lines.push_back({"Managed by:", "GitRepository " + owner_key});
    object_ref owner_ref = controller::gitrepository_ref(marks.namespace_, marks.name);
    auto owner = co_await s.client.get(owner_ref);
    if (!owner) {
      std::string why = describe_failure(owner.error(), "GitRepository " + owner_key, s.server);
      if (owner.error().code != kube::errc::not_found) co_return fail(why);
      add(out, "problem", why, a);
      lines.push_back({"In sync:", "no (" + why + ": the object is left over)"});
    } else {
      auto view = view_of(*owner);
      auto verdict = judge_sync(*owner, ref);
      add(out, "source", source_of(*owner), a);
      add(out, "revision", view.revision, a);
      add(out, "author", view.author, a);
      add(out, "subject", view.subject, a);
      add(out, "ready", view.ready, a);
      add(out, "readyMessage", view.message, a);
      out.AddMember("inSync", verdict.in_sync, a);
      add(out, "syncMessage", verdict.why, a);
      lines.push_back({"Source:", source_of(*owner)});
      // Written by the agent that applied the object; absent on objects applied before it was.
      std::string file(json::get_string(*object, "metadata", "annotations", sync::source_annotation).value_or(""));
      add(out, "file", file, a);
      // Cut as the agent cuts what it writes there (anyone may write the annotation).
      if (!file.empty()) lines.push_back({"File:", one_line(file, 512)});
      lines.push_back({"Revision:", view.revision.empty() ? "(none applied yet)" : view.revision});
      if (!view.subject.empty()) lines.push_back({"Commit:", fmt::format("{} ({})", one_line(view.subject, 100), view.author)});
      lines.push_back({"Ready:", view.message.empty() ? view.ready : fmt::format("{} ({})", view.ready, one_line(view.message, 120))});
      lines.push_back({"In sync:", fmt::format("{} ({})", verdict.in_sync ? "yes" : "no", verdict.why)});
      if (verdict.in_sync) code = exit_ok;
    }
  }
  if (s.output != "table") {
    print_structured(s, out);
    co_return code;
  }
  // Key/value lines: the table without a header.
  std::string table = format_table({"", ""}, lines);
  std::cout << table.substr(table.find('\n') + 1) << std::flush;
  co_return code;
}

}  // namespace

int run_trace(const kube_flags& flags, const std::string& target) {
  return run_with_cluster(flags, [&](session& s) { return trace(s, target); });
}

}  // namespace gitopsd::cli
