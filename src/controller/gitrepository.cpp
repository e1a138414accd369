#include "gitopsd/controller/gitrepository.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/git/url.hpp"
#include "gitopsd/render/substitute.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::controller {
namespace {

// Lengths a spec may use, for objects written before the CRD bounded them (the CRD's own bounds
// are tighter for most fields): longer values are refused, named, not echoed whole.
constexpr std::size_t max_url = 4096;
constexpr std::size_t max_string = 1024;
constexpr duration max_spec_duration = std::chrono::hours(8760);

std::string shorten(std::string_view text) {
  if (text.size() <= 80) return std::string(text);
  return fmt::format("{}...", text.substr(0, 77));
}

const char* describe(spec_errc) { return "invalid GitRepository"; }
constexpr char category_name[] = "gitopsd.controller.spec";
using category = enum_category<spec_errc, category_name, describe>;

struct reader {
  const rapidjson::Value& spec;
  std::string object;  // "GitRepository ns/name", for messages

  error fail(std::string_view field, std::string_view why) const {
    return make_error(category::code(spec_errc::invalid), fmt::format("{}: spec.{} {}", object, field, why));
  }
  result<std::string> string(const char* field, bool required = false, std::size_t max_length = max_string) const {
    const rapidjson::Value* v = json::find(spec, field);
    if (v == nullptr || v->IsNull()) {
      if (required) return fail(field, "is required");
      return std::string();
    }
    if (!v->IsString()) return fail(field, "must be a string");
    if (v->GetStringLength() > max_length)
      return fail(field, fmt::format("is {} characters long; at most {} are allowed", v->GetStringLength(), max_length));
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
    // Deadlines and schedules add these to the clock: a bound keeps that arithmetic from overflowing.
    if (*d > max_spec_duration) return fail(field, fmt::format("must be at most 8760h (a year), not \"{}\"", *text));
    return *d;
  }
};

// scheme://anything, or scp-like user@host:path. Plain parsing: the URL comes from users.
bool allowed_url(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://", "ssh://", "file://"})
    if (url.starts_with(scheme)) return url.size() > scheme.size();
  auto at = url.find('@');
  if (at == 0 || at == std::string_view::npos) return false;
  auto user_ok = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  };
  if (!std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(at), user_ok)) return false;
  auto colon = url.find(':', at + 1);
  if (colon == std::string_view::npos || colon == at + 1 || colon + 1 == url.size()) return false;
  return url.substr(at + 1, colon - at - 1).find('/') == std::string_view::npos;
}

bool full_sha1(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
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
    if (v->GetStringLength() > max_string) return r.fail(fmt::format("ref.{}", key), fmt::format("is longer than {} characters", max_string));
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
    if (!full_sha1(out.value)) return r.fail("ref.commit", "must be a full 40-character SHA-1");
    out.branch = branch.value_or("");
  } else if (branch) {
    if (branch->empty()) return r.fail("ref.branch", "must be a non-empty string");
    if (branch->size() > max_string) return r.fail("ref.branch", fmt::format("is longer than {} characters", max_string));
    ++kinds;
    out.kind = source_ref::type::branch;
    out.value = *branch;
  }
  if (kinds > 1) return r.fail("ref", "sets more than one of branch, tag, semver and commit");
  return out;
}

// Lenient: a bad entry fails the reconcile (the reconciler reports it), never the reading of the
// object, which would leave it impossible to delete.
void read_inventory(const rapidjson::Value& status, gitrepository& repo) {
  const rapidjson::Value* entries = json::find(status, "inventory", "entries");
  if (entries == nullptr || entries->IsNull()) return;
  if (!entries->IsArray()) {
    repo.inventory_problem = "status.inventory.entries is not a list";
    return;
  }
  for (const auto& e : entries->GetArray()) {
    auto id = json::get_string(e, "id");
    auto v = json::get_string(e, "v");
    if (!id || !v || !parse_inventory_id(*id)) {
      repo.unreadable_inventory.push_back(id ? std::string(*id) : std::string("(an entry without id or v)"));
      continue;
    }
    repo.inventory.push_back({std::string(*id), std::string(*v)});
  }
}

// spec.decryption; SOPS is the only provider, as with Flux.
result<std::optional<decryption_spec>> read_decryption(const reader& r) {
  const rapidjson::Value* v = json::find(r.spec, "decryption");
  if (v == nullptr || v->IsNull()) return std::optional<decryption_spec>();
  if (!v->IsObject()) return r.fail("decryption", "must be an object");
  auto provider = json::get_string(*v, "provider");
  if (!provider || *provider != "sops")
    return r.fail("decryption.provider", provider ? fmt::format("must be sops, not \"{}\"", shorten(*provider)) : "must be sops");
  const auto* secret = json::find(*v, "secretRef");
  auto name = secret != nullptr ? json::get_string(*secret, "name") : std::nullopt;
  if (!name || name->empty()) return r.fail("decryption.secretRef.name", "is required (the Secret holding the private keys)");
  if (name->size() > 253) return r.fail("decryption.secretRef.name", "is longer than 253 characters");
  return std::optional<decryption_spec>(decryption_spec{std::string(*name)});
}

}  // namespace

gitrepository read_gitrepository_metadata(const rapidjson::Value& object) {
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
  // What deletion needs from the spec, read leniently.
  if (const auto* suspend = json::find(object, "spec", "suspend"); suspend && suspend->IsBool())
    repo.spec.suspend = suspend->GetBool();
  if (const auto* prune = json::find(object, "spec", "prune"); prune && prune->IsBool()) repo.spec.prune = prune->GetBool();
  repo.spec.service_account = json::get_string(object, "spec", "serviceAccountName").value_or("");
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
    read_inventory(*status, repo);
  }
  return repo;
}

namespace {

// spec.postBuild; variable names are checked here so a bad one stalls the object at once.
result<post_build_spec> read_post_build(const reader& r) {
  post_build_spec out;
  const rapidjson::Value* post = json::find(r.spec, "postBuild");
  if (post == nullptr || post->IsNull()) return out;
  if (!post->IsObject()) return r.fail("postBuild", "must be an object");
  if (const auto* vars = json::find(*post, "substitute"); vars != nullptr && !vars->IsNull()) {
    if (!vars->IsObject()) return r.fail("postBuild.substitute", "must be a map of strings");
    for (const auto& m : vars->GetObject()) {
      std::string key(json::view(m.name));
      if (!render::valid_variable_name(key))
        return r.fail("postBuild.substitute", fmt::format("'{}' var name is invalid, must match '{}'", shorten(key),
                                                          render::variable_name_rule));
      if (!m.value.IsString()) return r.fail(fmt::format("postBuild.substitute.{}", key), "must be a string");
      out.substitute[key] = render::variable_value(json::view(m.value));
    }
  }
  if (const auto* from = json::find(*post, "substituteFrom"); from != nullptr && !from->IsNull()) {
    if (!from->IsArray()) return r.fail("postBuild.substituteFrom", "must be a list");
    for (const auto& item : from->GetArray()) {
      auto kind = json::get_string(item, "kind");
      if (!kind || (*kind != "ConfigMap" && *kind != "Secret"))
        return r.fail("postBuild.substituteFrom[].kind", "must be ConfigMap or Secret");
      auto name = json::get_string(item, "name");
      if (!name || name->empty()) return r.fail("postBuild.substituteFrom[].name", "is required");
      if (name->size() > 253) return r.fail("postBuild.substituteFrom[].name", "is longer than 253 characters");
      const auto* optional = json::find(item, "optional");
      if (optional != nullptr && !optional->IsNull() && !optional->IsBool())
        return r.fail("postBuild.substituteFrom[].optional", "must be true or false");
      out.substitute_from.push_back({std::string(*kind), std::string(*name), optional != nullptr && optional->IsTrue()});
    }
  }
  if (const auto* strict = json::find(*post, "strict"); strict != nullptr && !strict->IsNull()) {
    if (!strict->IsBool()) return r.fail("postBuild.strict", "must be true or false");
    out.strict = strict->GetBool();
  }
  return out;
}

// spec.verify; Tag modes need a ref that selects a tag.
result<std::optional<verify_spec>> read_verify(const reader& r, const source_ref& ref) {
  const rapidjson::Value* v = json::find(r.spec, "verify");
  if (v == nullptr || v->IsNull()) return std::optional<verify_spec>();
  if (!v->IsObject()) return r.fail("verify", "must be an object");
  verify_spec out;
  if (const auto* mode = json::find(*v, "mode"); mode != nullptr && !mode->IsNull()) {
    auto parsed = mode->IsString() ? verify::parse_mode(json::view(*mode)) : std::nullopt;
    if (!parsed)
      return r.fail("verify.mode", fmt::format("must be HEAD, Tag or TagAndHEAD, not {}",
                                               mode->IsString() ? "\"" + shorten(json::view(*mode)) + "\"" : "a non-string"));
    out.mode = *parsed;
  }
  bool selects_tag = ref.kind == source_ref::type::tag || ref.kind == source_ref::type::semver;
  if (out.mode != verify::mode::head && !selects_tag)
    return r.fail("verify.mode", fmt::format("{} needs ref.tag or ref.semver (the tag to verify)", verify::to_string(out.mode)));
  const auto* secret = json::find(*v, "secretRef");
  auto name = secret != nullptr ? json::get_string(*secret, "name") : std::nullopt;
  if (!name || name->empty()) return r.fail("verify.secretRef.name", "is required (the Secret holding the public keys)");
  if (name->size() > 253) return r.fail("verify.secretRef.name", "is longer than 253 characters");
  out.secret_name = *name;
  return std::optional<verify_spec>(std::move(out));
}

}  // namespace

result<gitrepository> parse_gitrepository(const rapidjson::Value& object) {
  gitrepository repo = read_gitrepository_metadata(object);
  repo.spec = {};
  static const rapidjson::Value empty(rapidjson::kObjectType);
  const rapidjson::Value* spec = json::find(object, "spec");
  reader r{spec != nullptr ? *spec : empty, fmt::format("GitRepository {}/{}", repo.namespace_, repo.name)};
  if (spec != nullptr && !spec->IsObject()) return r.fail("", "must be an object");

  // The name is the value of the owner label on every object applied (the CRD says so too).
  if (repo.name.size() > 63)
    return make_error(category::code(spec_errc::invalid),
                      fmt::format("{}: metadata.name is {} characters long; at most 63 are allowed (it is a label value)",
                                  r.object, repo.name.size()));
  auto& s = repo.spec;
  auto url = r.string("url", true, max_url);
  if (!url) return url.error();
  if (!allowed_url(*url)) return r.fail("url", fmt::format("\"{}\" is not an http(s), ssh or file URL", shorten(git::redact_url(*url))));
  s.url = std::move(*url);
  auto ref = read_ref(r);
  if (!ref) return ref.error();
  s.ref = std::move(*ref);
  auto path = r.string("path", false, max_url);
  if (!path) return path.error();
  if (escapes(*path)) return r.fail("path", fmt::format("\"{}\" leaves the repository", shorten(*path)));
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
  if (const auto* ignore = json::find(r.spec, "ignore"); ignore != nullptr && !ignore->IsNull()) {
    auto v = r.string("ignore", false, 65536);
    if (!v) return v.error();
    s.ignore = std::move(*v);
  }
  if (auto post = read_post_build(r); !post) return post.error();
  else s.post_build = std::move(*post);
  if (auto v = read_verify(r, s.ref); !v) return v.error();
  else s.verify = std::move(*v);
  if (auto d = read_decryption(r); !d) return d.error();
  else s.decryption = std::move(*d);

  return repo;
}

}  // namespace gitopsd::controller
