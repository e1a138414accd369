#include "gitopsd/controller/gitrepository.hpp"

#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <regex>

namespace gitopsd::controller {
namespace {

const char* describe(spec_errc) { return "invalid GitRepository"; }
constexpr char category_name[] = "gitopsd.controller.spec";
using category = enum_category<spec_errc, category_name, describe>;

struct reader {
  const rapidjson::Value& spec;
  std::string object;  // "GitRepository ns/name", for messages

  error fail(std::string_view field, std::string_view why) const {
    return make_error(category::code(spec_errc::invalid), fmt::format("{}: spec.{} {}", object, field, why));
  }
  result<std::string> string(const char* field, bool required = false) const {
    const rapidjson::Value* v = json::find(spec, field);
    if (v == nullptr || v->IsNull()) {
      if (required) return fail(field, "is required");
      return std::string();
    }
    if (!v->IsString()) return fail(field, "must be a string");
    return std::string(json::view(*v));
  }
  result<bool> boolean(const char* field) const {
    const rapidjson::Value* v = json::find(spec, field);
    if (v == nullptr || v->IsNull()) return false;
    if (!v->IsBool()) return fail(field, "must be true or false");
    return v->GetBool();
  }
  result<duration> time(const char* field, bool required, duration fallback) const {
    auto text = string(field, required);
    if (!text) return text.error();
    if (text->empty()) return fallback;
    auto d = parse_duration(*text);
    if (!d) return fail(field, d.error().what());
    if (*d <= duration::zero()) return fail(field, fmt::format("must be positive, not \"{}\"", *text));
    return *d;
  }
};

bool allowed_url(std::string_view url) {
  static const std::regex pattern(R"(^((https?|ssh|file)://.+|[A-Za-z0-9._-]+@[^:/]+:.+)$)");
  return std::regex_match(url.begin(), url.end(), pattern);
}

bool escapes(std::string_view path) {
  if (!path.empty() && path.front() == '/') return true;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

result<source_ref> read_ref(const reader& r) {
  source_ref out;
  const rapidjson::Value* ref = json::find(r.spec, "ref");
  if (ref == nullptr || ref->IsNull()) return out;
  if (!ref->IsObject()) return r.fail("ref", "must be an object");
  int kinds = 0;
  auto take = [&](const char* key, source_ref::type t) -> std::optional<error> {
    const rapidjson::Value* v = json::find(*ref, key);
    if (v == nullptr) return std::nullopt;
    if (!v->IsString() || v->GetStringLength() == 0) return r.fail(fmt::format("ref.{}", key), "must be a non-empty string");
    ++kinds;
    out.kind = t;
    out.value = json::view(*v);
    return std::nullopt;
  };
  for (auto [key, t] : {std::pair{"tag", source_ref::type::tag}, std::pair{"semver", source_ref::type::semver},
                        std::pair{"commit", source_ref::type::commit}})
    if (auto e = take(key, t)) return *e;
  auto branch = json::get_string(*ref, "branch");
  if (out.kind == source_ref::type::commit) {
    static const std::regex sha("^[0-9a-f]{40}$");
    if (!std::regex_match(out.value, sha)) return r.fail("ref.commit", "must be a full 40-character SHA-1");
    out.branch = branch.value_or("");
  } else if (branch) {
    if (branch->empty()) return r.fail("ref.branch", "must be a non-empty string");
    ++kinds;
    out.kind = source_ref::type::branch;
    out.value = *branch;
  }
  if (kinds > 1) return r.fail("ref", "sets more than one of branch, tag, semver and commit");
  return out;
}

}  // namespace

result<gitrepository> parse_gitrepository(const rapidjson::Value& object) {
  gitrepository repo;
  repo.namespace_ = json::get_string(object, "metadata", "namespace").value_or("");
  repo.name = json::get_string(object, "metadata", "name").value_or("");
  repo.uid = json::get_string(object, "metadata", "uid").value_or("");
  repo.resource_version = json::get_string(object, "metadata", "resourceVersion").value_or("");
  repo.generation = json::get_int(object, "metadata", "generation").value_or(0);
  repo.requested_at = json::get_string(object, "metadata", "annotations", requested_at_annotation).value_or("");
  repo.deleting = json::find(object, "metadata", "deletionTimestamp") != nullptr;
  if (const auto* finalizers = json::find(object, "metadata", "finalizers"); finalizers && finalizers->IsArray())
    for (const auto& f : finalizers->GetArray())
      if (f.IsString() && json::view(f) == finalizer) repo.has_finalizer = true;

  static const rapidjson::Value empty(rapidjson::kObjectType);
  const rapidjson::Value* spec = json::find(object, "spec");
  reader r{spec != nullptr ? *spec : empty, fmt::format("GitRepository {}/{}", repo.namespace_, repo.name)};
  if (spec != nullptr && !spec->IsObject()) return r.fail("", "must be an object");

  auto& s = repo.spec;
  auto url = r.string("url", true);
  if (!url) return url.error();
  if (!allowed_url(*url)) return r.fail("url", fmt::format("\"{}\" is not an http(s), ssh or file URL", *url));
  s.url = std::move(*url);
  auto ref = read_ref(r);
  if (!ref) return ref.error();
  s.ref = std::move(*ref);
  auto path = r.string("path");
  if (!path) return path.error();
  if (escapes(*path)) return r.fail("path", fmt::format("\"{}\" leaves the repository", *path));
  s.path = std::move(*path);
  auto interval = r.time("interval", true, {});
  if (!interval) return interval.error();
  s.interval = *interval;
  auto timeout = r.time("timeout", false, std::chrono::minutes(5));
  if (!timeout) return timeout.error();
  s.timeout = *timeout;
  auto retry = r.time("retryInterval", false, duration::zero());
  if (!retry) return retry.error();
  s.retry_interval = *retry;
  if (const auto* secret = json::find(r.spec, "secretRef"); secret != nullptr) {
    auto name = json::get_string(*secret, "name");
    if (!name || name->empty()) return r.fail("secretRef.name", "is required");
    s.secret_name = *name;
  }
  for (auto [field, target] : {std::pair{"targetNamespace", &s.target_namespace},
                               std::pair{"serviceAccountName", &s.service_account}}) {
    auto v = r.string(field);
    if (!v) return v.error();
    *target = std::move(*v);
  }
  for (auto [field, target] : {std::pair{"prune", &s.prune}, std::pair{"wait", &s.wait}, std::pair{"suspend", &s.suspend},
                               std::pair{"adopt", &s.adopt}, std::pair{"allowEmpty", &s.allow_empty}}) {
    auto v = r.boolean(field);
    if (!v) return v.error();
    *target = *v;
  }
  if (const auto* deps = json::find(r.spec, "dependsOn"); deps != nullptr) {
    if (!deps->IsArray()) return r.fail("dependsOn", "must be a list");
    for (const auto& d : deps->GetArray()) {
      auto name = json::get_string(d, "name");
      if (!name || name->empty()) return r.fail("dependsOn[].name", "is required");
      s.depends_on.push_back({std::string(json::get_string(d, "namespace").value_or(repo.namespace_)), std::string(*name)});
    }
  }

  if (const auto* status = json::find(object, "status"); status != nullptr && status->IsObject()) {
    repo.observed_generation = json::get_int(*status, "observedGeneration").value_or(0);
    repo.last_applied_revision = json::get_string(*status, "lastAppliedRevision").value_or("");
    repo.last_attempted_revision = json::get_string(*status, "lastAttemptedRevision").value_or("");
    repo.handled_requested_at = json::get_string(*status, "lastHandledReconcileAt").value_or("");
    if (const auto* conditions = json::find(*status, "conditions"); conditions && conditions->IsArray())
      for (const auto& c : conditions->GetArray())
        if (json::get_string(c, "type") == "Ready") {
          repo.ready_status = json::get_string(c, "status").value_or("");
          repo.ready_reason = json::get_string(c, "reason").value_or("");
          repo.ready_message = json::get_string(c, "message").value_or("");
        }
    auto inventory = sync::read_inventory(*status);
    if (!inventory) return inventory.error().wrap(r.object + ": status");
    repo.inventory = std::move(*inventory);
  }
  return repo;
}

}  // namespace gitopsd::controller
