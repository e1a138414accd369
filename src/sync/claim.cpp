#include "gitopsd/sync/claim.hpp"

#include "gitopsd/core/bounded.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/core/log.hpp"
#include "gitopsd/kube/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace gitopsd::sync {
namespace {

namespace asio = boost::asio;

const char* describe(claim_errc e) {
  switch (e) {
    case claim_errc::conflict: return "objects owned by someone else";
    case claim_errc::unreadable: return "cannot read who owns an object";
  }
  return "claim error";
}
constexpr char category_name[] = "gitopsd.sync.claim";
using category = enum_category<claim_errc, category_name, describe>;

// At most this many conflicts are named in one message; the count says how many there were.
constexpr std::size_t listed_conflicts = 5;
// An owner read from a live object's marks is shown at most this long.
constexpr std::size_t max_owner_text = 128;
// Above this many objects of one kind and namespace to look up, one metadata LIST of the kind
// there is cheaper than a GET each (a first sync of many objects). Not lower: the LIST returns
// every object of that kind in the namespace, and with many applications sharing a namespace
// (100 x 50 ConfigMaps) each first sync listing all of them cost the agent ~20 MiB of peak memory
// and the API server work that grows with the square of the fleet.
constexpr std::size_t reads_before_list = 64;

using group = std::pair<group_version_kind, std::string>;

group group_of(const object_ref& ref) { return {ref.gvk, ref.namespace_}; }

bool absent_code(const boost::system::error_code& code) {
  return code == kube::errc::not_found || code == kube::errc::unknown_kind;
}

void mark_adopted(rapidjson::Document& object) {
  auto& a = object.GetAllocator();
  auto& metadata = json::ensure_object(object, "metadata", a);
  auto& annotations = json::ensure_object(metadata, "annotations", a);
  json::set_string(annotations, adopted_annotation, adopt_value, a);
}

}  // namespace

boost::system::error_code make_error_code(claim_errc e) { return category::code(e); }

asio::awaitable<live_objects> list_owned(kube::client& client, std::vector<group> groups, const owner& who,
                                         std::size_t in_flight) {
  live_objects live;
  if (who.name.empty()) co_return live;
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  live.lists.resize(groups.size());
  std::vector<char> unserved(groups.size(), 0);
  kube::list_options options;
  options.label_selector = owner_selector(who);
  auto work = [&](std::size_t i) -> asio::awaitable<void> {
    auto r = co_await client.list(groups[i].first, groups[i].second, options);
    if (!r) {
      unserved[i] = r.error().code == kube::errc::unknown_kind ? 1 : 0;
      // Info, not debug: reading each object costs a request per object, which an operator
      // looking at a slow reconcile needs to see together with the reason.
      log::info("list failed, reading each object instead",
                {{"kind", groups[i].first.kind}, {"namespace", groups[i].second}, {"error", r.error().what()}});
      co_return;
    }
    live.lists[i] = std::move(*r);
  };
  co_await for_each_bounded(groups.size(), in_flight, work);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (unserved[i] != 0) live.unserved.insert(groups[i].first);
    const auto* items = json::find(live.lists[i], "items");  // absent where the LIST failed
    if (items == nullptr || !items->IsArray()) continue;
    for (const auto& item : items->GetArray()) {
      object_ref ref{groups[i].first, groups[i].second,
                     std::string(json::get_string(item, "metadata", "name").value_or(""))};
      live.by_ref.emplace(std::move(ref), &item);
    }
    live.listed.insert(groups[i]);
  }
  co_return live;
}

std::string conflict_message(const std::vector<claim_conflict>& conflicts) {
  std::string text;
  bool any_unmarked = false;
  for (std::size_t i = 0; i < conflicts.size() && i < listed_conflicts; ++i) {
    const auto& c = conflicts[i];
    if (!text.empty()) text += "; ";
    if (c.verdict == claim::other_owner) {
      std::string_view owner = c.current_owner;
      if (owner.size() > max_owner_text) owner = owner.substr(0, max_owner_text);
      text += fmt::format("{} ({}) belongs to GitRepository {}", c.ref.display(), c.origin, owner);
    } else {
      any_unmarked = true;
      text += fmt::format("{} ({}) exists and was not created by gitopsd", c.ref.display(), c.origin);
    }
  }
  if (conflicts.size() > listed_conflicts) text += fmt::format("; and {} more", conflicts.size() - listed_conflicts);
  if (!any_unmarked)
    for (const auto& c : conflicts) any_unmarked = any_unmarked || c.verdict == claim::unmarked;
  if (any_unmarked)
    text += fmt::format(" (to take over objects made by others set spec.adopt: true, or annotate each {}=\"{}\")",
                        adopt_annotation, adopt_value);
  return text;
}

namespace {

// Reads the owner of each object of `indices` that the lists do not show (a GET each, or one
// metadata LIST of its kind and namespace when there are many), then decides for each of
// `indices`: conflicts stop the commit; adopted objects are marked and added to `out.adopted`.
// `defer_unserved`: an object whose kind the API server does not serve (yet) is left pending,
// not decided absent (its CRD may be in this commit, and an instance may exist by the dry run).
asio::awaitable<result<void>> read_and_decide(kube::client& client, std::vector<planned_object>& plan,
                                              const std::vector<std::size_t>& indices, claim_result& out,
                                              bool defer_unserved) {
  const claim_settings& settings = out.settings;
  std::map<group, std::vector<std::size_t>> unknown;
  for (std::size_t i : indices)
    if (!out.live.by_ref.contains(plan[i].ref)) unknown[group_of(plan[i].ref)].push_back(i);
  std::vector<const rapidjson::Value*> found(plan.size(), nullptr);
  std::vector<std::optional<error>> failures(plan.size());
  std::vector<char> not_served(plan.size(), 0);
  std::vector<std::pair<group, const std::vector<std::size_t>*>> to_list;
  std::vector<std::size_t> to_get;
  for (const auto& [g, members] : unknown) {
    if (members.size() > reads_before_list && out.live.listed.contains(g)) to_list.emplace_back(g, &members);
    else to_get.insert(to_get.end(), members.begin(), members.end());
  }
  std::vector<rapidjson::Document> listed(to_list.size());  // `found` points into these
  std::vector<std::vector<std::size_t>> unlisted(to_list.size());  // indices whose list failed
  auto list_work = [&](std::size_t k) -> asio::awaitable<void> {
    kube::list_options options;
    options.metadata_only = true;
    auto r = co_await client.list(to_list[k].first.first, to_list[k].first.second, options);
    if (!r) {
      unlisted[k] = *to_list[k].second;
      co_return;
    }
    listed[k] = std::move(*r);
    std::map<std::string_view, const rapidjson::Value*> by_name;
    if (const auto* items = json::find(listed[k], "items"); items != nullptr && items->IsArray())
      for (const auto& item : items->GetArray())
        if (auto name = json::get_string(item, "metadata", "name")) by_name.emplace(*name, &item);
    for (std::size_t i : *to_list[k].second)
      if (auto it = by_name.find(plan[i].ref.name); it != by_name.end()) found[i] = it->second;
  };
  co_await for_each_bounded(to_list.size(), settings.in_flight, list_work);
  for (const auto& members : unlisted) to_get.insert(to_get.end(), members.begin(), members.end());
  std::vector<rapidjson::Document> read(to_get.size());  // `found` points to these
  auto get_work = [&](std::size_t k) -> asio::awaitable<void> {
    std::size_t i = to_get[k];
    auto r = co_await client.get(plan[i].ref);
    if (!r) {
      if (!absent_code(r.error().code)) failures[i] = r.error();
      not_served[i] = r.error().code == kube::errc::unknown_kind ? 1 : 0;
      co_return;
    }
    read[k] = std::move(*r);
    found[i] = &read[k];
  };
  co_await for_each_bounded(to_get.size(), settings.in_flight, get_work);

  for (std::size_t i : indices)
    if (failures[i])
      co_return make_error(category::code(claim_errc::unreadable),
                           fmt::format("cannot read who owns {} ({}): {}", plan[i].ref.display(), plan[i].origin,
                                       failures[i]->what()));

  std::vector<claim_conflict> conflicts;
  std::vector<object_ref> adopted;
  for (std::size_t i : indices) {
    if (not_served[i] != 0 && defer_unserved) {
      out.pending.insert(plan[i].ref);
      out.live.unserved.insert(plan[i].ref.gvk);
      continue;
    }
    const rapidjson::Value* live = found[i];
    if (auto it = out.live.by_ref.find(plan[i].ref); it != out.live.by_ref.end()) live = it->second;
    auto decision = decide_claim(live, settings.who, plan[i].ref, settings.adopt);
    if (decision.verdict == claim::other_owner || decision.verdict == claim::unmarked)
      conflicts.push_back({plan[i].ref, plan[i].origin, decision.verdict, std::move(decision.current_owner)});
    if (decision.mark_adopted) mark_adopted(plan[i].object);
    if (decision.verdict == claim::adopt) adopted.push_back(plan[i].ref);
  }
  if (!conflicts.empty()) co_return make_error(category::code(claim_errc::conflict), conflict_message(conflicts));
  for (const auto& ref : adopted) log::info("adopting", {{"object", ref.display()}});
  out.adopted.insert(out.adopted.end(), adopted.begin(), adopted.end());
  // What was read is what the dry run compares with.
  for (std::size_t k = 0; k < to_get.size(); ++k) {
    if (found[to_get[k]] != &read[k]) continue;
    out.live.lists.push_back(std::move(read[k]));
    out.live.by_ref.insert_or_assign(plan[to_get[k]].ref, &out.live.lists.back());
  }
  co_return result<void>{};
}

}  // namespace

asio::awaitable<result<claim_result>> claim_objects(kube::client& client, std::vector<planned_object>& plan,
                                                    const claim_settings& settings) {
  claim_result out;
  out.settings = settings;
  std::map<group, std::size_t> planned;
  for (const auto& p : plan) ++planned[group_of(p.ref)];
  std::vector<group> groups;
  std::set<group> known_empty;
  std::set<group> single;  // one object of its kind and namespace: a GET tells more than a LIST
  for (const auto& [g, count] : planned) {
    if (settings.known_none && !settings.who.name.empty() && settings.known_none(g.first, g.second)) known_empty.insert(g);
    else if (count == 1 && !settings.who.name.empty()) single.insert(g);
    else groups.push_back(g);
  }
  out.live = co_await list_owned(client, groups, settings.who, settings.in_flight);
  // As good as a LIST that came back empty (a watch that lags behind our own writes only leaves
  // our objects pending, and the dry run then says they exist).
  out.live.listed.insert(known_empty.begin(), known_empty.end());

  std::vector<std::size_t> now;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    group g = group_of(plan[i].ref);
    bool unserved = out.live.unserved.contains(plan[i].ref.gvk);
    bool shown = out.live.by_ref.contains(plan[i].ref) || (unserved && !settings.defer_unknown);
    // Deferred only where a list (or the watch) showed the owner's objects: elsewhere the dry run
    // would read the object anyway, and then the claim a second time. A kind not served yet (its
    // CRD is in this commit) is deferred too: its dry run, after the CRD, tells whether one exists.
    bool deferrable = settings.defer_unknown && (unserved || (!single.contains(g) && out.live.listed.contains(g)));
    if (shown || !deferrable) now.push_back(i);
    else out.pending.insert(plan[i].ref);
  }
  if (auto r = co_await read_and_decide(client, plan, now, out, settings.defer_unknown); !r) co_return r.error();
  // Read (or found absent) one by one: what the lists would have shown.
  out.live.listed.insert(single.begin(), single.end());
  co_return out;
}

std::vector<object_ref> pending_to_read(const std::vector<object_ref>& objects, const std::vector<std::optional<bool>>& is_new,
                                        const std::set<object_ref>& pending, const std::set<std::string>& new_namespaces,
                                        const std::set<group_version_kind>& unserved) {
  std::vector<object_ref> out;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const object_ref& ref = objects[i];
    if (!pending.contains(ref)) continue;
    std::optional<bool> answer = i < is_new.size() ? is_new[i] : std::nullopt;
    bool spared = answer ? *answer : new_namespaces.contains(ref.namespace_) || unserved.contains(ref.gvk);
    if (!spared) out.push_back(ref);
  }
  return out;
}

asio::awaitable<result<void>> resolve_pending(kube::client& client, std::vector<planned_object>& plan,
                                              claim_result& claimed, const std::vector<object_ref>& refs) {
  std::set<object_ref> wanted;
  for (const auto& ref : refs)
    if (claimed.pending.erase(ref) > 0) wanted.insert(ref);
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < plan.size(); ++i)
    if (wanted.contains(plan[i].ref)) indices.push_back(i);
  co_return co_await read_and_decide(client, plan, indices, claimed, false);
}

}  // namespace gitopsd::sync
