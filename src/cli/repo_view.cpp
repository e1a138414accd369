#include "gitopsd/cli/repo_view.hpp"

#include "gitopsd/core/json.hpp"

#include <algorithm>

namespace gitopsd::cli {

std::string condition_field(const rapidjson::Value& object, std::string_view type, std::string_view field) {
  const auto* conditions = json::find(object, "status", "conditions");
  if (conditions == nullptr || !conditions->IsArray()) return {};
  for (const auto& c : conditions->GetArray())
    if (json::get_string(c, "type") == type) return std::string(json::get_string(c, field).value_or(""));
  return {};
}

repo_view view_of(const rapidjson::Value& object) {
  repo_view v;
  v.namespace_ = json::get_string(object, "metadata", "namespace").value_or("");
  v.name = json::get_string(object, "metadata", "name").value_or("");
  v.url = json::get_string(object, "spec", "url").value_or("");
  v.revision = json::get_string(object, "status", "lastAppliedRevision").value_or("");
  v.author = json::get_string(object, "status", "lastAppliedCommit", "author").value_or("");
  v.subject = json::get_string(object, "status", "lastAppliedCommit", "subject").value_or("");
  v.ready = condition_field(object, "Ready", "status");
  if (v.ready.empty()) v.ready = "Unknown";
  v.reason = condition_field(object, "Ready", "reason");
  v.message = condition_field(object, "Ready", "message");
  v.suspended = json::get_bool(object, "spec", "suspend").value_or(false);
  if (auto created = json::get_string(object, "metadata", "creationTimestamp")) v.created = parse_time(*created);
  return v;
}

std::string short_revision(std::string_view revision) {
  auto at = revision.find("@sha1:");
  if (at == std::string_view::npos) return std::string(revision);
  return std::string(revision.substr(0, std::min(revision.size(), at + 6 + 12)));
}

std::string author_name(std::string_view author) {
  auto open = author.rfind(" <");
  if (open != std::string_view::npos && author.ends_with('>')) author = author.substr(0, open);
  return std::string(author);
}

row repo_header(bool all_namespaces) {
  row h{"NAME", "URL", "REVISION", "AUTHOR", "SUBJECT", "SUSPENDED", "READY", "MESSAGE", "AGE"};
  if (all_namespaces) h.insert(h.begin(), "NAMESPACE");
  return h;
}

row repo_row(const repo_view& v, bool all_namespaces, std::chrono::system_clock::time_point now) {
  std::string age = v.created ? format_age(std::chrono::duration_cast<std::chrono::seconds>(now - *v.created)) : "";
  row r{v.name, v.url, short_revision(v.revision), one_line(author_name(v.author), 24), one_line(v.subject, 40),
        v.suspended ? "True" : "False", v.ready, one_line(v.message, 80), age};
  if (all_namespaces) r.insert(r.begin(), v.namespace_);
  return r;
}

std::size_t ready_column(bool all_namespaces) {
  auto header = repo_header(all_namespaces);
  return static_cast<std::size_t>(std::find(header.begin(), header.end(), "READY") - header.begin());
}

row watch_key(const repo_view& v, bool all_namespaces, bool table) {
  if (!table) return {json::serialize(repo_json({v})[0])};
  row r = repo_row(v, all_namespaces, std::chrono::system_clock::time_point{});
  r.pop_back();  // AGE
  return r;
}

rapidjson::Document repo_json(const std::vector<repo_view>& views) {
  rapidjson::Document out(rapidjson::kArrayType);
  auto& a = out.GetAllocator();
  for (const auto& v : views) {
    rapidjson::Value item(rapidjson::kObjectType);
    json::set_string(item, "namespace", v.namespace_, a);
    json::set_string(item, "name", v.name, a);
    json::set_string(item, "url", v.url, a);
    json::set_string(item, "revision", v.revision, a);
    json::set_string(item, "author", v.author, a);
    json::set_string(item, "subject", v.subject, a);
    item.AddMember("suspended", v.suspended, a);
    json::set_string(item, "ready", v.ready, a);
    json::set_string(item, "reason", v.reason, a);
    json::set_string(item, "message", v.message, a);
    out.PushBack(item, a);
  }
  return out;
}

}  // namespace gitopsd::cli
