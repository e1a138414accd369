#include "transforms.hpp"

#include "../growth_guard.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>
#include <rapidjson/pointer.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <unordered_set>

namespace gitopsd::render::kustomize {
namespace {

// A patch may move the nodes a replacement left untagged: vars then refuse numbers in the object.
void forget_untagged(resource& r) {
  if (r.untagged.empty()) return;
  r.untagged.clear();
  r.untagged_scalars = true;
}


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

// kyaml's strategic merge walks the whole target and drops every field whose value was written
// empty (`key:`), while `null` and `~` stay; annotations hold such a value as "". Dropping them
// before the merge gives the same result: a field the patch sets is set again.
void drop_empty_nulls(resource& r) {
  std::erase_if(r.written, [&](const written_scalar& w) {
    if (w.k != written_scalar::kind::null || !w.text.empty()) return false;
    rapidjson::Pointer at(w.pointer.c_str(), w.pointer.size());
    if (!at.IsValid() || at.GetTokenCount() == 0) return false;
    rapidjson::Pointer parent(at.GetTokens(), at.GetTokenCount() - 1);
    value* map = parent.Get(r.obj);
    if (map == nullptr || !map->IsObject()) return false;  // an element of a list stays
    const auto& key = at.GetTokens()[at.GetTokenCount() - 1];
    auto it = map->FindMember(value(rapidjson::StringRef(key.name, key.length)));
    if (it == map->MemberEnd()) return false;
    bool empty = it->value.IsNull() || (it->value.IsString() && it->value.GetStringLength() == 0);
    if (!empty) return false;
    map->EraseMember(it);
    return true;
  });
}

bool has_list(const value& v) {
  std::vector<const value*> todo{&v};
  while (!todo.empty()) {
    const value* at = todo.back();
    todo.pop_back();
    if (at->IsArray()) return true;
    if (at->IsObject())
      for (const auto& m : at->GetObject()) todo.push_back(&m.value);
  }
  return false;
}

bool through_list(const value& object, const std::string& pointer) {
  rapidjson::Pointer at(pointer.c_str(), pointer.size());
  if (!at.IsValid()) return true;
  const value* v = &object;
  for (std::size_t i = 0; i < at.GetTokenCount(); ++i) {
    if (v->IsArray()) return true;
    if (!v->IsObject()) return false;
    const auto& t = at.GetTokens()[i];
    auto it = v->FindMember(value(rapidjson::StringRef(t.name, t.length)));
    if (it == v->MemberEnd()) return false;
    v = &it->value;
  }
  return false;
}

// A written text is found by its place, and a strategic merge of lists may move their elements:
// the texts below lists go, and vars refuse what such a text may have given (see written_moved).
void forget_written_in_lists(resource& r, const value& patch) {
  if (r.written.empty() || !has_list(patch)) return;
  auto before = r.written.size();
  std::erase_if(r.written, [&](const written_scalar& w) { return through_list(r.obj, w.pointer); });
  if (r.written.size() != before) r.written_moved = true;
}

result<void> merge_into(resource& target, const value& patch, const patch_spec& p, bool nulls_as_text, resmap& ra,
                        std::size_t index,
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
  drop_empty_nulls(target);
  forget_written_in_lists(target, copy);
  auto kept = strategic_merge(target.obj, copy, target.obj.GetAllocator(), p.origin, nulls_as_text);
  if (!kept) return kept.error();
  detail::guard_object(target.obj, p.origin);
  if (!*kept) {
    ra.erase(ra.begin() + static_cast<std::ptrdiff_t>(index));
    deleted = true;
    return {};
  }
  if (target.cur().name != before.name) target.prev.push_back(before);
  forget_untagged(target);
  return {};
}

// As kustomize reads patches: a strategic merge patch with kyaml, a JSON patch (a list) through
// sigs.k8s.io/yaml, which reads values as kubectl does.
// `written`: where given, the texts of the patch's nulls (see null_annotations).
result<std::vector<rapidjson::Document>> parse_patch(const patch_spec& p, const limits& lim,
                                                     std::vector<written_scalars>* written = nullptr) {
  limits as_kustomize = lim;
  as_kustomize.rules = yaml_rules::kustomize;
  auto docs = decode_documents(p.text, p.origin, as_kustomize, written);
  if (docs && !docs->empty() && (*docs)[0].IsArray()) return decode_documents(p.text, p.origin, lim);
  return docs;
}

// Sets each null the reader saw in metadata `field` (a map of strings) of the patch `doc`: to
// null (kyaml's merge, `patches`), or to its written text ("null", "~": patchesStrategicMerge, which
// reads a patch's labels and annotations as text). The reader gives annotations as text already.
void set_written_nulls(value& doc, const written_scalars& written, std::string_view field, bool as_text,
                       alloc_t& a) {
  if (!doc.IsObject()) return;
  auto meta = doc.FindMember("metadata");
  if (meta == doc.MemberEnd() || !meta->value.IsObject()) return;
  auto map = meta->value.FindMember(rapidjson::StringRef(field.data(), field.size()));
  if (map == meta->value.MemberEnd() || !map->value.IsObject()) return;
  std::string prefix = fmt::format("/metadata/{}/", field);
  for (const auto& w : written) {
    if (w.k != written_scalar::kind::null || !w.pointer.starts_with(prefix)) continue;
    std::string key;
    std::string_view rest = std::string_view(w.pointer).substr(prefix.size());
    for (std::size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == '~' && i + 1 < rest.size()) key += rest[++i] == '0' ? '~' : '/';
      else key += rest[i];
    }
    auto it = map->value.FindMember(rapidjson::StringRef(key.data(), key.size()));
    if (it == map->value.MemberEnd()) continue;
    if (!as_text) it->value.SetNull();
    else if (it->value.IsNull())
      it->value.SetString(w.text.c_str(), static_cast<rapidjson::SizeType>(w.text.size()), a);
  }
  if (as_text)  // the reader notes no text for a null written "null"
    for (auto& m : map->value.GetObject())
      if (m.value.IsNull()) m.value.SetString("null", a);
}

// Every document of a strategic merge patch is a map, checked before any is applied (merging and
// target matching read them as maps).
result<void> require_maps(const std::vector<rapidjson::Document>& docs, const patch_spec& p) {
  for (const auto& doc : docs)
    if (!doc.IsObject()) return kustomize_error(p.origin, "a strategic merge patch must be a map");
  return {};
}

result<void> strategic_merge_untargeted(resmap& ra, const value& doc, const patch_spec& p, bool nulls_as_text,
                                       const keep_going& going) {
  if (auto g = going(); !g) return g;
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
  return merge_into(ra[hits.front()], doc, p, nulls_as_text, ra, hits.front(), deleted);
}

}  // namespace

result<void> apply_strategic_merge_file(resmap& ra, const patch_spec& p, const limits& lim, const keep_going& going) {
  std::vector<written_scalars> written;
  auto docs = parse_patch(p, lim, &written);
  if (!docs) return docs.error();
  for (std::size_t d = 0; d < docs->size() && d < written.size(); ++d)
    set_written_nulls((*docs)[d], written[d], "labels", true, (*docs)[d].GetAllocator());
  if (auto maps = require_maps(*docs, p); !maps) return maps;
  for (const auto& doc : *docs) {
    auto r = strategic_merge_untargeted(ra, doc, p, true, going);
    if (!r) return r;
  }
  return {};
}

result<void> apply_patch(resmap& ra, const patch_spec& p, const limits& lim, const keep_going& going) {
  std::vector<written_scalars> written;
  auto docs = parse_patch(p, lim, &written);
  if (!docs) return docs.error();
  for (std::size_t d = 0; d < docs->size() && d < written.size(); ++d)
    set_written_nulls((*docs)[d], written[d], "annotations", false, (*docs)[d].GetAllocator());
  if (docs->empty()) return kustomize_error(p.origin, "the patch is empty");
  bool json6902 = (*docs)[0].IsArray();
  if (json6902 && docs->size() != 1) return kustomize_error(p.origin, "a JSON patch must be a single list");
  if (!json6902)
    if (auto maps = require_maps(*docs, p); !maps) return maps;
  if (!p.target) {
    if (json6902) return kustomize_error(p.origin, "a JSON patch needs a target");
    for (const auto& doc : *docs) {
      auto r = strategic_merge_untargeted(ra, doc, p, false, going);
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
    if (auto g = going(); !g) return g;
    if (json6902) {
      res_id before = ra[i].cur();
      auto r = json_patch(ra[i].obj, (*docs)[0], ra[i].obj.GetAllocator(), p.origin, lim);
      if (!r) return r;
      detail::guard_object(ra[i].obj, p.origin);
      // A patch of the root (`replace ""`, `move` to it) or of metadata may leave no object: kustomize refuses it.
      auto name = ra[i].obj.IsObject() ? json::get_string(ra[i].obj, "metadata", "name") : std::nullopt;
      if (!name || name->empty())
        return kustomize_error(p.origin, fmt::format("the JSON patch leaves {}/{} without a metadata.name (not an object, "
                                                     "or its name removed)", before.type.kind, before.name));
      if (ra[i].cur().name != before.name) ra[i].prev.push_back(before);
      ra[i].written.clear();
      forget_untagged(ra[i]);
      ++i;
      continue;
    }
    bool deleted = false;
    for (const auto& doc : *docs) {
      auto r = merge_into(ra[i], doc, p, false, ra, i, deleted);
      if (!r) return r;
      if (deleted) break;
    }
    if (!deleted) ++i;
  }
  return {};
}

namespace {

const char* kind_of(const value& v) {
  if (v.IsObject()) return "a map";
  if (v.IsArray()) return "a list";
  return "a scalar";
}

error wrong_kind(const value& v, std::string_view want) {
  return make_error(errc::invalid_kustomization, fmt::format("expected {} but found {}", want, kind_of(v)));
}

// A field spec applied to one object; an error names the object and the field.
result<void> visit_spec(resource& r, const field_spec& spec, create_as create,
                        const std::function<result<void>(value&)>& fn) {
  if (!gvk::of(r.obj).selected_by(spec.selector)) return {};
  auto guarded = [&](value& v) -> result<void> {
    auto done = fn(v);
    detail::guard_object(r.obj, r.origin);  // a configured value may be large, a path may reach many fields
    return done;
  };
  auto done = visit_path(r.obj, spec.path, spec.create ? create : create_as::nothing, r.obj.GetAllocator(), guarded);
  if (!done) return done.error().wrap(fmt::format("{}: field \"{}\" of {}", r.origin, spec.path, r.describe()));
  return {};
}

result<void> set_scalar(value& v, std::string_view text, alloc_t& a) {
  if (v.IsObject() || v.IsArray()) return wrong_kind(v, "a scalar");
  v.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  return {};
}

// A scalar as YAML text (a null read from the file reads "null").
std::string scalar_text(const value& v) {
  if (v.IsString()) return std::string(json::view(v));
  if (v.IsNull()) return "null";
  return json::serialize(v);
}

}  // namespace

result<void> set_namespace(resmap& ra, const std::string& ns, const std::vector<field_spec>& specs,
                           const namespace_options& o) {
  // With unsetOnly a namespace already given (not empty) stays.
  auto keeps = [&](const value& v) { return o.unset_only && !(v.IsString() && v.GetStringLength() == 0); };
  auto set_in = [&](value& map, alloc_t& a) {
    if (auto* cur = json::find(map, "namespace"); cur != nullptr && keeps(*cur)) return;
    json::set_string(map, "namespace", ns, a);
  };
  for (auto& r : ra) {
    r.store_prev();
    gvk g = gvk::of(r.obj);
    auto& a = r.obj.GetAllocator();
    if (!is_cluster_scoped(g)) set_in(json::ensure_object(r.obj, "metadata", a), a);
    bool binding = g.kind == "RoleBinding" || g.kind == "ClusterRoleBinding";
    if (binding && o.subjects != subjects_mode::none) {
      if (auto* subjects = json::find(r.obj, "subjects"); subjects != nullptr && subjects->IsArray()) {
        for (auto& s : r.obj["subjects"].GetArray()) {
          if (!s.IsObject()) continue;
          bool pick = o.subjects == subjects_mode::default_only ? json::get_string(s, "name") == "default"
                                                                : json::get_string(s, "kind") == "ServiceAccount";
          if (pick) set_in(s, a);
        }
      }
    }
    // kustomize sets metadata/namespace by the rule above, a metadata/name only in apiVersion v1
    // (a Namespace), and binding subjects only by the rule above.
    auto api = json::get_string(r.obj, "apiVersion").value_or("");
    for (const auto& spec : specs) {
      if (spec.path == "metadata/namespace" || (api != "v1" && spec.path == "metadata/name")) continue;
      bool for_binding = spec.selector.kind == "RoleBinding" || spec.selector.kind == "ClusterRoleBinding";
      if (binding && for_binding && spec.path == "subjects/namespace") continue;
      auto done = visit_spec(r, spec, create_as::scalar, [&](value& v) -> result<void> {
        if (keeps(v) && !v.IsObject() && !v.IsArray()) return {};
        return set_scalar(v, ns, a);
      });
      if (!done) return done;
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

result<void> add_prefix_suffix(resmap& ra, const std::string& text, bool prefix, const std::vector<field_spec>& specs) {
  for (auto& r : ra) {
    gvk g = r.org().type;
    if (g.kind == "CustomResourceDefinition" || g.kind == "Namespace" ||
        (g.kind == "APIService" && g.group == "apiregistration.k8s.io"))
      continue;
    for (const auto& spec : specs) {
      if (!g.selected_by(spec.selector)) continue;
      if (spec.path == "metadata/name") {
        (prefix ? r.prefixes : r.suffixes).push_back(text);
        r.store_prev();
        detail::guard_bytes(text.size() + r.prev.back().name.size(), r.origin);  // kept beside the object
      }
      auto& a = r.obj.GetAllocator();
      auto done = visit_spec(r, spec, create_as::scalar, [&](value& v) {
        std::string now = scalar_text(v);
        return set_scalar(v, prefix ? text + now : now + text, a);
      });
      if (!done) return done;
    }
  }
  return {};
}

result<void> add_pairs(resmap& ra, const string_pairs& pairs, const std::vector<field_spec>& specs) {
  if (pairs.empty()) return {};  // kustomize walks the specs once per pair
  for (auto& r : ra) {
    auto& a = r.obj.GetAllocator();
    bool reached = false;
    for (const auto& spec : specs) {
      auto done = visit_spec(r, spec, create_as::map, [&](value& map) -> result<void> {
        if (map.IsNull()) return {};
        if (!map.IsObject()) return wrong_kind(map, "a map");
        for (const auto& [k, v] : pairs) json::set_string(map, k, v, a);
        reached = true;
        return {};
      });
      if (!done) return done;
    }
    // kustomize gives every field of the object one shared node per value: vars must know (see vars.hpp).
    if (reached)
      for (const auto& [k, v] : pairs)
        if (v.find('$') != std::string::npos) r.shared_values.insert(v);
  }
  return {};
}

result<void> set_replicas(resmap& ra, const std::string& name, std::int64_t count, const std::string& file,
                          const std::vector<field_spec>& specs) {
  bool found = false;
  for (const auto& spec : specs) {
    for (auto& r : ra) {
      auto hit = [&](const res_id& id) { return id.name == name && id.type.selected_by(spec.selector); };
      if (!hit(r.cur()) && std::none_of(r.prev.begin(), r.prev.end(), hit)) continue;
      found = true;
      auto done = visit_spec(r, spec, create_as::scalar, [&](value& v) -> result<void> {
        if (v.IsObject() || v.IsArray()) return wrong_kind(v, "a scalar");
        v.SetInt64(count);
        return {};
      });
      if (!done) return done;
    }
  }
  if (found) return {};
  std::vector<std::string> kinds;
  for (const auto& spec : specs) {
    std::string kind = spec.selector.kind.empty() ? "object" : spec.selector.kind;
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  std::string list;
  for (std::size_t i = 0; i < kinds.size(); ++i)
    list += (i == 0 ? "" : i + 1 == kinds.size() ? " or " : ", ") + kinds[i];
  return kustomize_error(file, fmt::format("replicas: no {} is named \"{}\"", list.empty() ? "object" : list, name));
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

result<void> update_image(value& v, const image_spec& im, const RE2& pattern, alloc_t& a) {
  if (v.IsObject() || v.IsArray()) return wrong_kind(v, "a scalar");
  if (!v.IsString()) return {};
  std::string current(json::view(v));
  if (!RE2::PartialMatch(current, pattern)) return {};  // Go's MatchString: the pattern anchors itself
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
  return {};
}

// Every containers/initContainers list anywhere in the object, as kustomize's legacy image filter.
result<void> walk_containers(value& node, const image_spec& im, const RE2& pattern, alloc_t& a) {
  if (node.IsObject()) {
    for (auto& m : node.GetObject()) {
      if (auto r = walk_containers(m.value, im, pattern, a); !r) return r;
      std::string_view key = json::view(m.name);
      if ((key == "containers" || key == "initContainers") && m.value.IsArray())
        for (auto& c : m.value.GetArray())
          if (c.IsObject())
            if (auto it = c.FindMember("image"); it != c.MemberEnd())
              if (auto r = update_image(it->value, im, pattern, a); !r) return r;
    }
  } else if (node.IsArray()) {
    for (auto& item : node.GetArray())
      if (auto r = walk_containers(item, im, pattern, a); !r) return r;
  }
  return {};
}

}  // namespace

// kustomize runs its legacy filter (every containers list) and then the images field specs, the
// built-in ones included: a container image the first pass changed is matched again (a tagSuffix
// is added twice, as kustomize adds it).
result<void> set_images(resmap& ra, const image_spec& im, const std::vector<field_spec>& specs) {
  // Go's regexp syntax in linear time: the name comes from the repository.
  RE2::Options o;
  o.set_log_errors(false);
  RE2 pattern("^" + im.name + R"((:[a-zA-Z0-9_.{}-]*)?(@[a-zA-Z0-9]+([.+_-][a-zA-Z0-9]+)*:[a-zA-Z0-9_.{}-]*)?$)", o);
  if (!pattern.ok()) return {};  // kustomize treats a name that is no valid pattern as matching nothing
  for (auto& r : ra) {
    detail::guard_time(r.origin);  // a large image name pattern is slow against long images
    if (gvk::of(r.obj).kind == "CustomResourceDefinition") continue;
    auto& a = r.obj.GetAllocator();
    if (auto done = walk_containers(r.obj, im, pattern, a); !done)
      return done.error().wrap(fmt::format("{}: {}", r.origin, r.describe()));
    for (const auto& spec : specs) {
      auto done = visit_spec(r, spec, create_as::nothing, [&](value& v) { return update_image(v, im, pattern, a); });
      if (!done) return done;
    }
  }
  return {};
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

}  // namespace

result<void> fix_name_references(resmap& ra, const std::vector<name_back_refs>& refs) {
  for (const auto& group : refs) {
    for (const auto& spec : group.referrers) {
      name_reference ref{group.target, spec.selector, spec.path};
      for (auto& referrer : ra) {
        if (!referrer.org().type.selected_by(spec.selector)) continue;
        referral_finder finder{ra, referrer, ref};
        auto& a = referrer.obj.GetAllocator();
        std::optional<error> ambiguous;  // the finder's error names the object itself
        auto done = visit_spec(referrer, spec, create_as::nothing, [&](value& v) {
          auto r = finder.set(v, a);
          if (!r) ambiguous = r.error();
          return r;
        });
        if (ambiguous) return *ambiguous;
        if (!done) return done;
      }
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
