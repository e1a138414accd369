#include "gitopsd/controller/reconcile_rules.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/git/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace gitopsd::controller {

bool routine(const gitrepository& repo, const std::string& revision) {
  return repo.ready_status == "True" && repo.observed_generation == repo.generation &&
         (revision.empty() || revision == repo.last_applied_revision) &&
         (repo.requested_at.empty() || repo.requested_at == repo.handled_requested_at);
}

bool may_skip_unchanged_render(const gitrepository& repo, const std::string& rendered_revision,
                               const std::string& revision, bool full_check_due) {
  bool cluster_inputs = !repo.spec.post_build.substitute_from.empty() || repo.spec.decryption.has_value();
  return !full_check_due && !cluster_inputs && !rendered_revision.empty() &&
         rendered_revision == repo.last_applied_revision && revision != rendered_revision && routine(repo, "");
}

bool inventory_grows(const std::vector<sync::inventory_entry>& recorded, const std::vector<sync::inventory_entry>& next) {
  std::set<std::string> known;
  for (const auto& e : recorded) known.insert(e.id);
  return std::any_of(next.begin(), next.end(), [&](const sync::inventory_entry& e) { return !known.contains(e.id); });
}

std::vector<sync::inventory_entry> progress_inventory(stage at, const std::vector<sync::inventory_entry>& recorded,
                                                      const std::vector<sync::inventory_entry>& next) {
  if (next.empty()) return {};
  if (at > stage::pruning) return next;
  std::set<sync::inventory_entry> all(recorded.begin(), recorded.end());
  all.insert(next.begin(), next.end());
  return {all.begin(), all.end()};
}

bool progress_due(bool must_show, bool requested, std::chrono::steady_clock::time_point started,
                  std::optional<std::chrono::steady_clock::time_point> last_write, std::chrono::steady_clock::time_point now,
                  std::chrono::steady_clock::duration spacing) {
  if (must_show || requested) return true;
  if (now - started < spacing) return false;
  return !last_write || now - *last_write >= spacing;
}

std::optional<std::string> finalizer_patch(const rapidjson::Value& object, bool present) {
  const rapidjson::Value* list = json::find(object, "metadata", "finalizers");
  std::optional<rapidjson::SizeType> ours;
  if (list != nullptr && list->IsArray())
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i)
      if ((*list)[i].IsString() && json::view((*list)[i]) == finalizer) {
        ours = i;
        break;
      }
  if (present == ours.has_value()) return std::nullopt;

  rapidjson::Document patch(rapidjson::kArrayType);
  auto& a = patch.GetAllocator();
  auto op = [&](const char* name, const std::string& path) {
    rapidjson::Value o(rapidjson::kObjectType);
    o.AddMember("op", rapidjson::StringRef(name), a);
    o.AddMember("path", rapidjson::Value(path.c_str(), a), a);
    return o;
  };
  if (present) {
    auto rv = json::get_string(object, "metadata", "resourceVersion").value_or("");
    auto test = op("test", "/metadata/resourceVersion");
    test.AddMember("value", rapidjson::Value(rv.data(), static_cast<rapidjson::SizeType>(rv.size()), a), a);
    patch.PushBack(test, a);
    if (list != nullptr && list->IsArray()) {
      auto add = op("add", "/metadata/finalizers/-");
      add.AddMember("value", rapidjson::StringRef(finalizer), a);
      patch.PushBack(add, a);
    } else {
      auto add = op("add", "/metadata/finalizers");
      rapidjson::Value value(rapidjson::kArrayType);
      value.PushBack(rapidjson::StringRef(finalizer), a);
      add.AddMember("value", value, a);
      patch.PushBack(add, a);
    }
  } else {
    std::string path = fmt::format("/metadata/finalizers/{}", *ours);
    auto test = op("test", path);
    test.AddMember("value", rapidjson::StringRef(finalizer), a);
    patch.PushBack(test, a);
    patch.PushBack(op("remove", path), a);
  }
  return json::serialize(patch);
}

std::string timeout_message(stage at, std::string_view git_host, duration limit) {
  std::string within = format_duration(limit);
  switch (at) {
    case stage::fetching:
      return fmt::format("Git server at {} did not answer within {} (spec.timeout)", git_host, within);
    case stage::dependencies: return fmt::format("dependencies were not read within {} (spec.timeout)", within);
    case stage::rendering: return fmt::format("rendering did not finish within {} (spec.timeout)", within);
    case stage::planning:
    case stage::applying: return fmt::format("applying did not finish within {} (spec.timeout)", within);
    case stage::pruning: return fmt::format("pruning did not finish within {} (spec.timeout)", within);
    case stage::waiting: return fmt::format("objects did not become ready within {} (spec.timeout)", within);
    case stage::starting:
    case stage::reporting: break;
  }
  return fmt::format("reconcile did not finish within {} (spec.timeout)", within);
}

bool unfixable_by_retry(const boost::system::error_code& git_failure) {
  // ref_not_found comes only from a server that answered: its listing (or the fetch of the
  // branches) lacks the ref, which a push or a new spec fixes, not a retry.
  for (auto e : {git::errc::invalid_url, git::errc::url_not_allowed, git::errc::invalid_ref, git::errc::invalid_semver,
                 git::errc::ref_not_found})
    if (git_failure == make_error_code(e)) return true;
  return false;
}

bool release_without_pruning(bool service_account_missing, bool namespace_terminating, bool prune_forbidden) {
  return service_account_missing || (namespace_terminating && prune_forbidden);
}

std::string list_objects(const std::vector<std::string>& names, std::size_t shown) {
  std::string out;
  std::size_t n = std::min(names.size(), shown);
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) out += ", ";
    out += names[i];
  }
  if (names.size() > n) out += fmt::format(" and {} more", names.size() - n);
  return out;
}

std::chrono::steady_clock::time_point listing_not_before(std::optional<std::chrono::steady_clock::time_point> asked_at,
                                                         duration interval, std::chrono::steady_clock::time_point now) {
  if (asked_at) return *asked_at;
  duration age = std::clamp(interval / 2, duration::zero(), max_shared_listing_age);
  return now - age;
}

}  // namespace gitopsd::controller
