#include "gitopsd/cli/diff_report.hpp"

#include "gitopsd/cli/object_diff.hpp"
#include "gitopsd/cli/table.hpp"
#include "gitopsd/core/json.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::cli {

diff_entry applied_entry(const object_ref& ref, bool exists, const sync::claim_decision* claim, bool disabled,
                         std::string diff) {
  diff_entry e{ref, diff_action::unchanged, {}, {}};
  if (claim != nullptr && claim->verdict == sync::claim::other_owner) {
    e.action = diff_action::refuse;
    // From a tracking id anyone may write on the live object: cut, and shown as plain text below.
    e.why = fmt::format("owned by GitRepository {}", one_line(claim->current_owner, 200));
  } else if (claim != nullptr && claim->verdict == sync::claim::unmarked) {
    e.action = diff_action::refuse;
    e.why = fmt::format("exists without gitopsd's marks; set spec.adopt or the annotation {}: \"{}\" to take it over",
                        sync::adopt_annotation, sync::adopt_value);
  } else if (disabled) {
    e.action = diff_action::skip;
    e.why = fmt::format("{}: {}", sync::reconcile_annotation, sync::disabled_value);
  } else if (!exists) {
    e.action = diff_action::create;
    e.diff = std::move(diff);
  } else if (!diff.empty()) {
    e.action = diff_action::change;
    e.diff = std::move(diff);
  }
  return e;
}

std::optional<diff_entry> stale_entry(const object_ref& ref, std::optional<sync::prune_verdict> verdict, bool prune,
                                      std::string diff) {
  if (!verdict) return std::nullopt;  // already gone
  diff_entry e{ref, diff_action::leave, {}, {}};
  switch (*verdict) {
    case sync::prune_verdict::remove:
      if (prune) {
        e.action = diff_action::prune;
        e.diff = std::move(diff);
      } else {
        e.why = "spec.prune is false";
      }
      break;
    case sync::prune_verdict::keep_not_ours: e.why = "it no longer carries this GitRepository's marks"; break;
    case sync::prune_verdict::keep_disabled: e.why = fmt::format("{}: {}", sync::prune_annotation, sync::disabled_value); break;
    case sync::prune_verdict::orphan_adopted: e.why = "an adopted Namespace or CRD is never deleted"; break;
  }
  return e;
}

bool is_difference(diff_action action) {
  return action == diff_action::create || action == diff_action::change || action == diff_action::prune ||
         action == diff_action::refuse;
}

namespace {

std::string raw_title(const diff_entry& e) {
  std::string what = e.ref.display();
  switch (e.action) {
    case diff_action::unchanged: return what + ": unchanged";
    case diff_action::create:
      return e.why.empty() ? what + ": would be created"
                           : fmt::format("{}: would be created (shown as rendered: {})", what, e.why);
    case diff_action::change: return what + ": would be changed";
    case diff_action::prune: return what + ": would be pruned";
    case diff_action::leave: return fmt::format("{}: no longer in Git, would be left in the cluster ({})", what, e.why);
    case diff_action::skip: return fmt::format("{}: would be skipped ({})", what, e.why);
    case diff_action::refuse: return fmt::format("{}: would be refused ({})", what, e.why);
  }
  return what;
}

}  // namespace

// Names and reasons come from Git and the cluster: never a control or bidi character on the terminal.
std::string title(const diff_entry& e) { return one_line(raw_title(e)); }

std::size_t refused_count(const std::vector<diff_entry>& entries) {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const diff_entry& e) { return e.action == diff_action::refuse; }));
}

std::string format_report(const std::vector<diff_entry>& entries, bool color) {
  std::string out;
  // The agent checks every object's owner before it applies any: one refusal stops the commit.
  if (auto refused = refused_count(entries); refused > 0) {
    auto line = fmt::format("the agent would refuse this commit and apply nothing: {} object{} would be refused",
                            refused, refused == 1 ? "" : "s");
    out += color ? fmt::format("\033[1;31m{}\033[0m\n", line) : line + "\n";
  }
  for (const auto& e : entries) {
    if (e.action == diff_action::unchanged) continue;
    out += color ? fmt::format("\033[1;33m{}\033[0m\n", title(e)) : title(e) + "\n";
    out += color ? colorize_diff(e.diff) : e.diff;
  }
  return out;
}

const char* to_string(diff_action action) {
  switch (action) {
    case diff_action::unchanged: return "unchanged";
    case diff_action::create: return "create";
    case diff_action::change: return "change";
    case diff_action::prune: return "prune";
    case diff_action::leave: return "leave";
    case diff_action::skip: return "skip";
    case diff_action::refuse: return "refuse";
  }
  return "unknown";
}

rapidjson::Document report_json(const std::vector<diff_entry>& entries) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  out.AddMember("differences", diff_exit_code(entries) == 1, a);
  out.AddMember("commitRefused", refused_count(entries) > 0, a);
  rapidjson::Value objects(rapidjson::kArrayType);
  for (const auto& e : entries) {
    rapidjson::Value o(rapidjson::kObjectType);
    json::set_string(o, "object", e.ref.display(), a);
    json::set_string(o, "apiVersion", e.ref.gvk.api_version(), a);
    json::set_string(o, "kind", e.ref.gvk.kind, a);
    json::set_string(o, "namespace", e.ref.namespace_, a);
    json::set_string(o, "name", e.ref.name, a);
    json::set_string(o, "action", to_string(e.action), a);
    json::set_string(o, "reason", e.why, a);
    json::set_string(o, "diff", e.diff, a);
    objects.PushBack(o, a);
  }
  out.AddMember("objects", objects, a);
  return out;
}

int diff_exit_code(const std::vector<diff_entry>& entries) {
  return std::any_of(entries.begin(), entries.end(), [](const diff_entry& e) { return is_difference(e.action); }) ? 1 : 0;
}

}  // namespace gitopsd::cli
