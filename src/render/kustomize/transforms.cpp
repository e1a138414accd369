#include "transforms.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

// A patch names its target by kind, name and (optionally) namespace; any earlier identity counts.
bool any_id_matches(const resource& r, const res_id& want, bool ns_given) {
  auto ok = [&](const res_id& id) {
    return id.type.kind == want.type.kind && (want.type.group.empty() || id.type.group == want.type.group) &&
           id.name == want.name && (!ns_given || id.effective_ns() == want.effective_ns());
  };
  if (ok(r.cur())) return true;
  return std::any_of(r.prev.begin(), r.prev.end(), ok);
}

result<void> merge_into(resource& target, const value& patch, const patch_spec& p, resmap& ra, std::size_t index,
                        bool& deleted) {
  res_id before = target.cur();
  value copy(patch, target.obj.GetAllocator());
  // The patch's own identity only selects the target; it never renames it.
  if (!p.allow_name_change || !json::get_string(copy, "metadata", "name")) {
    if (auto* meta = json::find(copy, "metadata"); meta != nullptr && meta->IsObject()) {
      auto& m = copy["metadata"];
      m.RemoveMember("name");
      m.RemoveMember("namespace");
    }
  }
  if (!p.allow_kind_change) {
    copy.RemoveMember("kind");
    copy.RemoveMember("apiVersion");
  }
  auto kept = strategic_merge(target.obj, copy, target.obj.GetAllocator(), p.origin);
  if (!kept) return kept.error();
  if (!*kept) {
    ra.erase(ra.begin() + static_cast<std::ptrdiff_t>(index));
    deleted = true;
    return {};
  }
  if (target.cur().name != before.name) target.prev.push_back(before);
  return {};
}

// As kustomize reads patches: a strategic merge patch with kyaml, a JSON patch (a list) through
// sigs.k8s.io/yaml, which reads values as kubectl does.
result<std::vector<rapidjson::Document>> parse_patch(const patch_spec& p, const limits& lim) {
  limits as_kustomize = lim;
  as_kustomize.rules = yaml_rules::kustomize;
  auto docs = decode_documents(p.text, p.origin, as_kustomize);
  if (docs && !docs->empty() && (*docs)[0].IsArray()) return decode_documents(p.text, p.origin, lim);
  return docs;
}

result<void> strategic_merge_untargeted(resmap& ra, const value& doc, const patch_spec& p) {
  if (!doc.IsObject()) return kustomize_error(p.origin, "a strategic merge patch must be a map");
  res_id want;
  want.type = gvk::of(doc);
  want.name = std::string(json::get_string(doc, "metadata", "name").value_or(""));
  auto ns = json::get_string(doc, "metadata", "namespace");
  if (ns) want.ns = std::string(*ns);
  if (want.type.kind.empty() || want.name.empty())
    return kustomize_error(p.origin, "a strategic merge patch without a target needs kind and metadata.name");
  std::vector<std::size_t> hits;
  for (std::size_t i = 0; i < ra.size(); ++i)
    if (any_id_matches(ra[i], want, ns.has_value())) hits.push_back(i);
  if (hits.size() != 1)
    return make_error(errc::conflict, fmt::format("{}: {} objects match the patch target {}/{}; exactly one must",
                                                  p.origin, hits.size(), want.type.kind, want.name));
  bool deleted = false;
  return merge_into(ra[hits.front()], doc, p, ra, hits.front(), deleted);
}

}  // namespace

result<void> apply_strategic_merge_file(resmap& ra, const patch_spec& p, const limits& lim) {
  auto docs = parse_patch(p, lim);
  if (!docs) return docs.error();
  for (const auto& doc : *docs) {
    auto r = strategic_merge_untargeted(ra, doc, p);
    if (!r) return r;
  }
  return {};
}

result<void> apply_patch(resmap& ra, const patch_spec& p, const limits& lim) {
  auto docs = parse_patch(p, lim);
  if (!docs) return docs.error();
  if (docs->empty()) return kustomize_error(p.origin, "the patch is empty");
  bool json6902 = (*docs)[0].IsArray();
  if (json6902 && docs->size() != 1) return kustomize_error(p.origin, "a JSON patch must be a single list");
  if (!p.target) {
    if (json6902) return kustomize_error(p.origin, "a JSON patch needs a target");
    for (const auto& doc : *docs) {
      auto r = strategic_merge_untargeted(ra, doc, p);
      if (!r) return r;
    }
    return {};
  }
  for (std::size_t i = 0; i < ra.size();) {
    auto hit = matches(ra[i], *p.target, p.origin);
    if (!hit) return hit.error();
    if (!*hit) {
      ++i;
      continue;
    }
    if (json6902) {
      res_id before = ra[i].cur();
      auto r = json_patch(ra[i].obj, (*docs)[0], ra[i].obj.GetAllocator(), p.origin, lim);
      if (!r) return r;
      if (ra[i].cur().name != before.name) ra[i].prev.push_back(before);
      ++i;
      continue;
    }
    bool deleted = false;
    for (const auto& doc : *docs) {
      auto r = merge_into(ra[i], doc, p, ra, i, deleted);
      if (!r) return r;
      if (deleted) break;
    }
    if (!deleted) ++i;
  }
  return {};
}

result<void> set_namespace(resmap& ra, const std::string& ns) {
  for (auto& r : ra) {
    r.store_prev();
    gvk g = gvk::of(r.obj);
    auto& a = r.obj.GetAllocator();
    if (!is_cluster_scoped(g)) json::set_string(json::ensure_object(r.obj, "metadata", a), "namespace", ns, a);
    if (g.kind == "Namespace" && json::get_string(r.obj, "apiVersion") == "v1") r.set_name(ns);
    if (g.kind == "APIService" && g.group == "apiregistration.k8s.io")
      visit_path(r.obj, "spec/service/namespace", true, a, [&](value&, value& v) { v.SetString(ns.c_str(), a); });
    if (g.kind == "CustomResourceDefinition" && g.group == "apiextensions.k8s.io")
      visit_path(r.obj, "spec/conversion/webhook/clientConfig/service/namespace", false, a,
                 [&](value&, value& v) { v.SetString(ns.c_str(), a); });
    if ((g.kind == "RoleBinding" || g.kind == "ClusterRoleBinding")) {
      if (auto* subjects = json::find(r.obj, "subjects"); subjects != nullptr && subjects->IsArray()) {
        for (auto& s : r.obj["subjects"].GetArray())
          if (s.IsObject() && json::get_string(s, "name") == "default") json::set_string(s, "namespace", ns, a);
      }
    }
  }
  std::unordered_set<std::string> seen;
  for (const auto& r : ra) {
    res_id id = r.cur();
    if (!seen.insert(id.type.group + '|' + id.type.version + '|' + id.type.kind + '|' + id.effective_ns() + '|' + id.name).second)
      return make_error(errc::conflict, fmt::format("namespace {} makes two objects the same: {}", ns, r.describe()));
  }
  return {};
}

void add_prefix_suffix(resmap& ra, const std::string& text, bool prefix) {
  for (auto& r : ra) {
    gvk g = r.org().type;
    if (g.kind == "CustomResourceDefinition" || g.kind == "Namespace" ||
        (g.kind == "APIService" && g.group == "apiregistration.k8s.io"))
      continue;
    (prefix ? r.prefixes : r.suffixes).push_back(text);
    r.store_prev();
    r.set_name(prefix ? text + r.name() : r.name() + text);
  }
}

void add_pairs(resmap& ra, const string_pairs& pairs, const std::vector<field_spec>& specs) {
  for (auto& r : ra) {
    gvk g = gvk::of(r.obj);
    auto& a = r.obj.GetAllocator();
    for (const auto& spec : specs) {
      if (!g.selected_by(spec.selector)) continue;
      visit_path(r.obj, spec.path, spec.create, a, [&](value&, value& map) {
        if (map.IsNull()) map.SetObject();
        if (!map.IsObject()) return;
        for (const auto& [k, v] : pairs) json::set_string(map, k, v, a);
      });
    }
  }
}

result<void> set_replicas(resmap& ra, const std::string& name, std::int64_t count, const std::string& file) {
  bool found = false;
  for (auto& r : ra) {
    gvk g = gvk::of(r.obj);
    bool named = r.cur().name == name ||
                 std::any_of(r.prev.begin(), r.prev.end(), [&](const res_id& id) { return id.name == name; });
    if (!named) continue;
    for (const auto& spec : replica_specs()) {
      if (!g.selected_by(spec.selector)) continue;
      found = true;
      visit_path(r.obj, spec.path, true, r.obj.GetAllocator(), [&](value&, value& v) { v.SetInt64(count); });
    }
  }
  if (!found)
    return kustomize_error(file, fmt::format("replicas: no Deployment, ReplicationController, ReplicaSet or "
                                             "StatefulSet is named \"{}\"", name));
  return {};
}

namespace {

// kustomize's split of an image reference into name, tag and digest.
void split_image(const std::string& image, std::string& name, std::string& tag, std::string& digest) {
  std::size_t slash = image.find('/');
  std::size_t base = slash != std::string::npos && slash > 0 ? slash : 0;
  std::string_view search = std::string_view(image).substr(base);
  auto at = search.find('@');
  auto colon = search.find(':');
  name = image, tag.clear(), digest.clear();
  if (at == std::string_view::npos && colon == std::string_view::npos) return;
  if (at != std::string_view::npos && (colon == std::string_view::npos || at < colon)) {
    name = image.substr(0, base + at);
    digest = image.substr(base + at + 1);
    return;
  }
  if (at != std::string_view::npos) {
    name = image.substr(0, base + colon);
    tag = image.substr(base + colon + 1, at - colon - 1);
    digest = image.substr(base + at + 1);
    return;
  }
  name = image.substr(0, base + colon);
  tag = image.substr(base + colon + 1);
}

void update_image(value& v, const image_spec& im, const RE2& pattern, alloc_t& a) {
  if (!v.IsString()) return;
  std::string current(json::view(v));
  if (!RE2::PartialMatch(current, pattern)) return;  // Go's MatchString: the pattern anchors itself
  std::string name, tag, digest;
  split_image(current, name, tag, digest);
  if (!im.new_name.empty()) name = im.new_name;
  if (!im.new_tag.empty() && !im.digest.empty()) tag = im.new_tag, digest = im.digest;
  else if (!im.new_tag.empty()) tag = im.new_tag, digest.clear();
  else if (!im.digest.empty()) tag.clear(), digest = im.digest;
  else if (!im.tag_suffix.empty()) tag += im.tag_suffix, digest.clear();
  std::string out = name;
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  v.SetString(out.c_str(), static_cast<rapidjson::SizeType>(out.size()), a);
}

// Every containers/initContainers list anywhere in the object, as kustomize's legacy image filter.
void walk_containers(value& node, const image_spec& im, const RE2& pattern, alloc_t& a) {
  if (node.IsObject()) {
    for (auto& m : node.GetObject()) {
      walk_containers(m.value, im, pattern, a);
      std::string_view key = json::view(m.name);
      if ((key == "containers" || key == "initContainers") && m.value.IsArray())
        for (auto& c : m.value.GetArray())
          if (c.IsObject())
            if (auto it = c.FindMember("image"); it != c.MemberEnd()) update_image(it->value, im, pattern, a);
    }
  } else if (node.IsArray()) {
    for (auto& item : node.GetArray()) walk_containers(item, im, pattern, a);
  }
}

}  // namespace

void set_images(resmap& ra, const image_spec& im) {
  // Go's regexp syntax in linear time: the name comes from the repository.
  RE2::Options o;
  o.set_log_errors(false);
  RE2 pattern("^" + im.name + R"((:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$)", o);
  if (!pattern.ok()) return;  // kustomize treats a name that is no valid pattern as matching nothing
  for (auto& r : ra) {
    auto& a = r.obj.GetAllocator();
    if (gvk::of(r.obj).kind != "CustomResourceDefinition") walk_containers(r.obj, im, pattern, a);
    for (const char* path : {"spec/volumes[]/image/reference", "spec/template/spec/volumes[]/image/reference"})
      visit_path(r.obj, path, false, a, [&](value&, value& v) { update_image(v, im, pattern, a); });
  }
}

namespace {

bool same_ending(const std::vector<std::string>& x, const std::vector<std::string>& y) {
  const auto& shortest = x.size() <= y.size() ? x : y;
  const auto& longest = x.size() <= y.size() ? y : x;
  if (shortest.empty()) return longest.empty();
  std::size_t diff = longest.size() - shortest.size();
  for (std::size_t i = 0; i < shortest.size(); ++i)
    if (longest[i + diff] != shortest[i]) return false;
  return true;
}

struct referral_finder {
  resmap& ra;
  const resource& referrer;
  const name_reference& ref;

  std::vector<const resource*> sieve(std::vector<const resource*> in, const std::function<bool(const resource&)>& keep) {
    std::vector<const resource*> out;
    for (auto* r : in)
      if (keep(*r)) out.push_back(r);
    return out;
  }

  result<const resource*> select(const std::string& old_name, std::vector<const resource*> candidates, bool with_ns) {
    candidates = sieve(candidates, [&](const resource& r) {
      return std::any_of(r.prev.begin(), r.prev.end(), [&](const res_id& id) { return id.name == old_name; });
    });
    candidates = sieve(candidates, [&](const resource& r) {
      return std::any_of(r.prev.begin(), r.prev.end(), [&](const res_id& id) { return id.type.selected_by(ref.target); });
    });
    if (ref.path.ends_with("roleRef/name")) {
      gvk role;
      std::string_view api_group = json::get_string(referrer.obj, "roleRef", "apiGroup").value_or("");
      role.group = std::string(api_group);
      role.kind = std::string(json::get_string(referrer.obj, "roleRef", "kind").value_or(""));
      candidates = sieve(candidates, [&](const resource& r) {
        return std::any_of(r.prev.begin(), r.prev.end(), [&](const res_id& id) { return id.type.selected_by(role); });
      });
    }
    res_id me = referrer.cur();
    if (!is_cluster_scoped(me.type)) {
      candidates = sieve(candidates, [&](const resource& r) {
        res_id id = r.cur();
        return is_cluster_scoped(id.type) || id.type.kind == "ServiceAccount" || id.effective_ns() == me.effective_ns();
      });
    }
    if (candidates.size() == 1) return candidates.front();
    auto psfx = [&](bool allow_empty) {
      return [&, allow_empty](const resource& r) {
        if (allow_empty) {
          bool p = r.prefixes.empty() || referrer.prefixes.empty() || same_ending(r.prefixes, referrer.prefixes);
          bool s = r.suffixes.empty() || referrer.suffixes.empty() || same_ending(r.suffixes, referrer.suffixes);
          return p && s;
        }
        return same_ending(r.prefixes, referrer.prefixes) && same_ending(r.suffixes, referrer.suffixes);
      };
    };
    candidates = sieve(candidates, psfx(true));
    if (candidates.size() > 1) candidates = sieve(candidates, psfx(false));
    if (candidates.size() == 1) return candidates.front();
    if (candidates.empty()) return static_cast<const resource*>(nullptr);
    bool identical = std::all_of(candidates.begin(), candidates.end(), [&](const resource* r) {
      return r->name() == candidates.front()->name() &&
             (!with_ns || r->cur().ns == candidates.front()->cur().ns);
    });
    if (identical) return candidates.front();
    std::string ids;
    for (auto* r : candidates) ids += (ids.empty() ? "" : ", ") + r->describe();
    return make_error(errc::conflict, fmt::format("{}: the reference \"{}\" at {} could mean several objects: {}",
                                                  referrer.origin, old_name, ref.path, ids));
  }

  std::vector<const resource*> all() {
    std::vector<const resource*> out;
    for (const auto& r : ra) out.push_back(&r);
    return out;
  }

  result<void> set_scalar(value& v, alloc_t& a) {
    if (!v.IsString()) return {};
    auto found = select(std::string(json::view(v)), all(), false);
    if (!found) return found.error();
    if (*found == nullptr) return {};
    std::string name = (*found)->name();
    v.SetString(name.c_str(), static_cast<rapidjson::SizeType>(name.size()), a);
    return {};
  }

  result<void> set_mapping(value& v, alloc_t& a) {
    auto old = json::get_string(v, "name");
    if (!old) return {};
    auto candidates = all();
    if (auto ns = json::get_string(v, "namespace")) {
      std::string want(*ns);
      candidates = sieve(candidates, [&](const resource& r) {
        if (r.cur().effective_ns() == want) return true;
        return std::any_of(r.prev.begin(), r.prev.end(), [&](const res_id& id) { return id.effective_ns() == want; });
      });
    }
    auto found = select(std::string(*old), candidates, true);
    if (!found) return found.error();
    if (*found == nullptr) return {};
    res_id id = (*found)->cur();
    if (id.name == *old && id.ns.empty()) return {};
    json::set_string(v, "name", id.name, a);
    if (!id.ns.empty()) json::set_string(v, "namespace", id.ns, a);
    return {};
  }

  result<void> set(value& v, alloc_t& a) {
    if (v.IsString()) return set_scalar(v, a);
    if (v.IsObject()) return set_mapping(v, a);
    if (v.IsArray()) {
      for (auto& item : v.GetArray()) {
        auto r = item.IsObject() ? set_mapping(item, a) : set_scalar(item, a);
        if (!r) return r;
      }
    }
    return {};
  }
};

int kind_rank(const std::string& kind) {
  static const std::map<std::string, int, std::less<>> ranks = [] {
    const char* first[] = {"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
                           "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
                           "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
                           "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
                           "StatefulSet", "CronJob", "PodDisruptionBudget"};
    std::map<std::string, int, std::less<>> m;
    int n = static_cast<int>(std::size(first));
    for (int i = 0; i < n; ++i) m[first[i]] = -n + i;
    m["MutatingWebhookConfiguration"] = 1;
    m["ValidatingWebhookConfiguration"] = 2;
    return m;
  }();
  auto it = ranks.find(kind);
  return it == ranks.end() ? 0 : it->second;
}

std::string gvk_sort_key(const gvk& g) {
  return (g.group.empty() ? "~G" : g.group) + "_" + (g.version.empty() ? "~V" : g.version) + "_" +
         (g.kind.empty() ? "~K" : g.kind);
}

}  // namespace

result<void> fix_name_references(resmap& ra) {
  for (const auto& ref : name_references()) {
    for (auto& referrer : ra) {
      if (!gvk::of(referrer.obj).selected_by(ref.referrer)) continue;
      referral_finder finder{ra, referrer, ref};
      auto& a = referrer.obj.GetAllocator();
      std::optional<error> failed;
      visit_path(referrer.obj, ref.path, false, a, [&](value&, value& v) {
        if (failed) return;
        auto r = finder.set(v, a);
        if (!r) failed = r.error();
      });
      if (failed) return *failed;
    }
  }
  return {};
}

void legacy_sort(resmap& ra, const std::pair<std::vector<std::string>, std::vector<std::string>>* custom) {
  std::map<std::string, int, std::less<>> custom_ranks;
  if (custom != nullptr) {
    int n = static_cast<int>(custom->first.size());
    for (int i = 0; i < n; ++i) custom_ranks[custom->first[static_cast<std::size_t>(i)]] = -n + i;
    for (std::size_t i = 0; i < custom->second.size(); ++i) custom_ranks[custom->second[i]] = 1 + static_cast<int>(i);
  }
  auto rank = [&](const std::string& kind) {
    if (custom == nullptr) return kind_rank(kind);
    auto it = custom_ranks.find(kind);
    return it == custom_ranks.end() ? 0 : it->second;
  };
  std::sort(ra.begin(), ra.end(), [&](const resource& x, const resource& y) {
    res_id a = x.cur(), b = y.cur();
    if (!(a.type == b.type)) {
      int ra_ = rank(a.type.kind), rb = rank(b.type.kind);
      if (ra_ != rb) return ra_ < rb;
      if (a.type.kind == "Namespace" && b.type.kind == "Namespace" && (a.type.group.empty() || b.type.group.empty()))
        return gvk_sort_key(a.type) > gvk_sort_key(b.type);
      return gvk_sort_key(a.type) < gvk_sort_key(b.type);
    }
    std::string ka = (a.ns.empty() ? "~X" : a.ns) + "|" + (a.name.empty() ? "~N" : a.name);
    std::string kb = (b.ns.empty() ? "~X" : b.ns) + "|" + (b.name.empty() ? "~N" : b.name);
    return ka < kb;
  });
}

}  // namespace gitopsd::render::kustomize
