#include "gitopsd/cli/diff_command.hpp"

#include "gitopsd/cli/build_from_git.hpp"
#include "gitopsd/cli/diff_report.hpp"
#include "gitopsd/cli/object_diff.hpp"
#include "gitopsd/cli/progress_line.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/controller/gitrepository.hpp"
#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/kube/errc.hpp"
#include "gitopsd/render/build_command.hpp"
#include "gitopsd/sync/inventory.hpp"
#include "gitopsd/sync/ownership.hpp"
#include "gitopsd/sync/plan.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

namespace gitopsd::cli {
namespace {

namespace asio = boost::asio;

// Requests in flight: a person or a CI job waits, the API server should not notice.
constexpr std::size_t in_flight = 8;

// What the diff learns about the GitRepository named by --name.
struct owner_view {
  std::optional<sync::owner> who;
  std::string default_namespace;
  bool adopt = false;
  bool prune = false;
  std::vector<sync::inventory_entry> inventory;
};

// Takes the owner marks off an object (make_plan stamps them; without --name the owner is read
// from each live object instead).
void unstamp_owner(rapidjson::Value& object) {
  if (!object.IsObject()) return;
  auto found = object.FindMember("metadata");
  if (found == object.MemberEnd() || !found->value.IsObject()) return;
  auto* metadata = &found->value;
  for (auto [field, key] : {std::pair{"labels", sync::owner_name_label}, {"labels", sync::owner_namespace_label},
                            {"annotations", sync::tracking_annotation}}) {
    auto it = metadata->FindMember(field);
    if (it == metadata->MemberEnd() || !it->value.IsObject()) continue;
    it->value.RemoveMember(key);
    if (it->value.ObjectEmpty()) metadata->RemoveMember(field);
  }
}

void mark_adopted(rapidjson::Document& object) {
  auto& a = object.GetAllocator();
  auto& annotations = json::ensure_object(json::ensure_object(object, "metadata", a), "annotations", a);
  json::set_string(annotations, sync::adopted_annotation, sync::adopt_value, a);
}

// An object the server cannot dry-run yet because this commit first creates what it needs.
// Skipped as the agent judges it after its dry run: the rendered object is what it would create.
diff_entry created_as_rendered(const object_ref& ref, const rapidjson::Value& object, std::string why) {
  bool disabled = sync::is_disabled(object, sync::reconcile_annotation);
  auto entry = applied_entry(ref, false, nullptr, disabled, disabled ? "" : object_diff(ref, nullptr, &object));
  entry.why = std::move(why);
  return entry;
}

struct object_result {
  std::optional<diff_entry> entry;
  std::optional<error> failure;
};

// `secret_values`: the objects came from decrypted files, so the server's messages about them
// are not shown.
asio::awaitable<int> diff(session& s, std::vector<render::manifest>& rendered, const std::string& name,
                          progress_line& progress, bool secret_values) {
  auto failed = [&](std::string_view line) {
    progress.clear();
    return fail(line);
  };
  owner_view view;
  view.default_namespace = s.namespace_.empty() ? "default" : s.namespace_;
  if (!name.empty()) {
    progress.show(fmt::format("reading GitRepository {}...", name));
    auto object = co_await get_gitrepository(s, name);
    if (!object) co_return failed(object.error().message);
    auto repo = controller::parse_gitrepository(*object);
    if (!repo) co_return failed(repo.error().what());
    view.who = sync::owner{repo->namespace_, repo->name};
    if (!repo->spec.target_namespace.empty()) view.default_namespace = repo->spec.target_namespace;
    else view.default_namespace = repo->namespace_;
    view.adopt = repo->spec.adopt;
    view.prune = repo->spec.prune;
    view.inventory = repo->inventory;
  }

  // The scope of each kind, as the agent's plan asks discovery.
  progress.show("discovering kinds...");
  std::map<group_version_kind, std::optional<bool>> scopes;
  for (const auto& m : rendered)
    if (auto ref = object_ref_of(m.object)) scopes.emplace(ref->gvk, std::nullopt);
  for (auto& [gvk, namespaced] : scopes) {
    auto info = co_await s.client.resource_for(gvk);
    if (info) namespaced = info->namespaced;
    else if (info.error().code != kube::errc::unknown_kind)
      co_return failed(describe_failure(info.error(), gvk.api_version() + " " + gvk.kind, s.server));
  }
  sync::plan_options plan_options{view.who.value_or(sync::owner{"-", "-"}), view.default_namespace};
  auto plan = sync::make_plan(std::move(rendered), plan_options, [&](const group_version_kind& gvk) {
    auto it = scopes.find(gvk);
    return it == scopes.end() ? std::nullopt : it->second;
  });
  if (!plan) co_return failed(plan.error().what());
  if (!view.who)
    for (auto& p : *plan) unstamp_owner(p.object);

  // Namespaces of this commit: objects in one not there yet cannot be dry-run before it exists.
  std::set<std::string> new_namespaces;
  for (const auto& p : *plan)
    if (p.ref.gvk.group.empty() && p.ref.gvk.kind == "Namespace") new_namespaces.insert(p.ref.name);

  std::vector<object_result> results(plan->size());
  std::size_t done = 0;
  auto dry_run_text = [&] { return fmt::format("dry run {}/{} objects", done, results.size()); };
  progress.show(dry_run_text());
  auto dry_run_one = [&](std::size_t i) -> asio::awaitable<void> {
    auto& p = (*plan)[i];
    object_ref ref = p.ref;
    auto live = co_await s.client.get(ref);
    auto scope = scopes.find(ref.gvk);
    if (!live && live.error().code == kube::errc::unknown_kind && scope != scopes.end() && !scope->second) {
      // make_plan knew the kind from a CRD of this commit: nothing to dry-run it against yet.
      results[i].entry = created_as_rendered(ref, p.object, "its CRD is in this commit");
      co_return;
    }
    if (!live && live.error().code != kube::errc::not_found) {
      results[i].failure = make_error(live.error().code, describe_failure(live.error(), ref.display(), s.server));
      co_return;
    }
    const rapidjson::Value* current = live ? &*live : nullptr;
    std::optional<sync::owner> who = view.who;
    if (!who && current != nullptr) {
      // Without --name: the owner the live object names, if its marks are whole.
      sync::owner named{std::string(json::get_string(*current, "metadata", "labels", sync::owner_namespace_label).value_or("")),
                        std::string(json::get_string(*current, "metadata", "labels", sync::owner_name_label).value_or(""))};
      if (!named.name.empty() && sync::is_owned_by(*current, named, ref)) {
        who = named;
        sync::stamp_owner(p.object, named, ref);
      }
    }
    std::optional<sync::claim_decision> claim;
    if (who) {
      claim = sync::decide_claim(current, *who, ref, view.adopt);
      if (claim->mark_adopted) mark_adopted(p.object);
    }
    bool refused = claim && (claim->verdict == sync::claim::other_owner || claim->verdict == sync::claim::unmarked);
    // Skipped or not is judged as the agent does: from the merged dry-run result (what Git sets and
    // what other managers keep), not from the live object alone.
    bool disabled = false;
    std::string text;
    if (!refused) {
      kube::apply_options options;
      options.dry_run = true;
      options.detect_unchanged = false;  // the live object was just read
      options.validation = kube::field_validation::ignore;  // as the agent applies
      options.secret_values = secret_values;
      auto merged = co_await s.client.apply(p.object, options);
      if (!merged && merged.error().code == kube::errc::not_found && current == nullptr &&
          new_namespaces.contains(ref.namespace_)) {
        results[i].entry = created_as_rendered(ref, p.object, "its Namespace is in this commit");
        co_return;
      }
      if (!merged) {
        // Not found here is about something else (the namespace): the server's words say what.
        std::string line = merged.error().code == kube::errc::not_found
                               ? fmt::format("{}: {}", ref.display(), one_line(merged.error().what()))
                               : describe_failure(merged.error(), ref.display(), s.server);
        results[i].failure = make_error(merged.error().code, line);
        co_return;
      }
      disabled = sync::is_disabled(merged->object, sync::reconcile_annotation);
      if (!disabled) text = object_diff(ref, current, &merged->object);
    }
    results[i].entry = applied_entry(ref, current != nullptr, claim ? &*claim : nullptr, disabled, std::move(text));
  };
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    co_await dry_run_one(i);
    ++done;
    progress.show(dry_run_text(), true);
  };
  co_await for_each_bounded(results.size(), in_flight, work);

  // What prune would do with the inventory's objects this commit no longer has.
  if (view.who) progress.show("reading the objects of the inventory no longer in Git...");
  auto stale = view.who ? sync::stale_objects(view.inventory, sync::inventory_of(*plan)) : std::vector<object_ref>{};
  std::vector<object_result> stale_results(stale.size());
  auto look = [&](std::size_t i) -> asio::awaitable<void> {
    object_ref ref = stale[i];
    auto live = co_await s.client.get(ref);
    if (!live) {
      if (live.error().code != kube::errc::not_found && live.error().code != kube::errc::unknown_kind)
        stale_results[i].failure = make_error(live.error().code, describe_failure(live.error(), ref.display(), s.server));
      co_return;
    }
    auto verdict = sync::decide_prune(*live, *view.who, ref);
    std::string text = verdict == sync::prune_verdict::remove && view.prune ? object_diff(ref, &*live, nullptr) : "";
    stale_results[i].entry = stale_entry(ref, verdict, view.prune, std::move(text));
  };
  co_await for_each_bounded(stale_results.size(), in_flight, look);

  progress.clear();
  std::vector<diff_entry> entries;
  for (auto* list : {&results, &stale_results})
    for (auto& r : *list) {
      if (r.failure) co_return failed(r.failure->message);
      if (r.entry) entries.push_back(std::move(*r.entry));
    }
  if (s.output == "json" || s.output == "yaml") print_structured(s, report_json(entries));
  else std::cout << format_report(entries, s.color) << std::flush;
  co_return diff_exit_code(entries);
}

}  // namespace

int run_diff(const kube_flags& flags, diff_options options) {
  progress_line progress(show_progress(::isatty(STDERR_FILENO) == 1, flags.no_color, std::getenv("NO_COLOR")), std::cerr);
  auto failed = [&](std::string_view line) {
    progress.clear();
    return fail(line);
  };
  std::vector<render::manifest> rendered;
  if (!options.source.url.empty()) {
    if (!options.dir.empty()) return fail("give either DIR or --url, not both");
    progress.show("fetching and rendering...");
    auto commit = render_from_git(options.source, options.branch, options.tag, options.semver, options.commit,
                                  options.secret_file, options.cache_dir, options.render, options.source_opts);
    if (!commit) return failed(commit.error().what());
    rendered = std::move(commit->objects);
  } else {
    if (options.dir.empty()) return fail("give a DIR or --url");
    progress.show("rendering...");
    auto objects = render::render_folder(options.dir, options.render, options.source_opts);
    if (!objects) return failed(objects.error().what());
    rendered = std::move(*objects);
  }
  progress.clear();  // run_with_cluster may print a configuration error
  bool secret_values = options.source_opts.decryption != nullptr;
  return run_with_cluster(flags, [&](session& s) { return diff(s, rendered, options.name, progress, secret_values); });
}

}  // namespace gitopsd::cli
