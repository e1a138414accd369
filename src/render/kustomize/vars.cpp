// kustomize's vars: reading them, choosing their objects, and expanding "$(NAME)" references.
#include "vars.hpp"

#include "field_names.hpp"
#include "go_float.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/pointer.h>

namespace gitopsd::render::kustomize {

using value = rapidjson::Value;

namespace {

std::string wrap_name(std::string_view name) { return fmt::format("$({})", name); }

void append_value(std::string& out, const var_value& v) {
  switch (v.k) {
    case var_value::kind::integer: out += std::to_string(v.integer); break;
    case var_value::kind::real: out += go_float_g(v.real); break;  // Go's %v
    case var_value::kind::boolean: out += v.boolean ? "true" : "false"; break;
    default: out += v.text;
  }
}

}  // namespace

std::optional<var_value> expand_vars(std::string_view in, const var_lookup& find, std::size_t max_text) {
  var_value out;
  std::size_t checkpoint = 0;
  // The first ")" at or after `close`: `close` only moves forward, so the scan stays linear.
  std::size_t close = 0;
  for (std::size_t cursor = 0; cursor + 1 < in.size(); ++cursor) {
    if (in[cursor] != '$') continue;
    out.text.append(in.substr(checkpoint, cursor - checkpoint));
    char next = in[cursor + 1];
    if (next == '$') {
      out.text += '$';
    } else if (next != '(') {
      out.text += '$';
      out.text += next;
    } else {
      if (close < cursor + 2) close = cursor + 2;
      while (close < in.size() && in[close] != ')') ++close;
      if (close >= in.size()) {
        out.text += "$(";
      } else {
        std::string_view name = in.substr(cursor + 2, close - cursor - 2);
        const var_value* v = find(name);
        var_value mapped;
        if (v == nullptr || v->k == var_value::kind::opaque) mapped.text = wrap_name(name);
        else mapped = *v;
        if (cursor == 0 && close + 1 == in.size()) {  // the whole string keeps the type
          if (mapped.text.size() > max_text) return std::nullopt;
          return mapped;
        }
        append_value(out.text, mapped);
        if (out.text.size() > max_text) return std::nullopt;
        cursor = close - 1;  // the loop's ++ and the skip below land after ")"
      }
    }
    ++cursor;
    checkpoint = cursor + 1;
  }
  if (checkpoint < in.size()) out.text.append(in.substr(checkpoint));
  if (out.text.size() > max_text) return std::nullopt;
  return out;
}

namespace {

error bad_field(const std::string& file, std::string_view field, std::string_view want) {
  return kustomize_error(file, fmt::format("field \"{}\" must be {}", field, want));
}

result<std::string> read_string(const value& v, const std::string& file, std::string_view field) {
  if (!v.IsString()) return bad_field(file, field, "a string");
  return std::string(json::view(v));
}

// The members of map `v`, each named by the field of `known` it matches (as encoding/json matches).
result<std::vector<std::pair<std::string_view, const value*>>> members(
    const value& v, const std::string& file, std::string_view where, std::initializer_list<std::string_view> known) {
  if (!v.IsObject()) return bad_field(file, where, "a map");
  std::vector<std::pair<std::string_view, const value*>> out;
  for (const auto& m : v.GetObject()) {
    auto name = match_field(json::view(m.name), known);
    if (!name) return kustomize_error(file, fmt::format("unknown field \"{}\" in {}", json::view(m.name), where));
    out.emplace_back(*name, &m.value);
  }
  return out;
}

// objref: kustomize's Target. apiVersion, when set, overrides group and version ("v1" only the version).
result<void> read_objref(const value& v, const std::string& file, var_spec& out) {
  auto ms = members(v, file, "vars.objref", {"kind", "name", "namespace", "apiVersion", "group", "version"});
  if (!ms) return ms.error();
  std::string api;
  for (const auto& [key, item] : *ms) {
    std::string field = fmt::format("vars.objref.{}", key);
    auto s = read_string(*item, file, field);
    if (!s) return s.error();
    if (key == "kind") out.type.kind = std::move(*s);
    else if (key == "name") out.obj_name = std::move(*s);
    else if (key == "namespace") out.ns = std::move(*s);
    else if (key == "apiVersion") api = std::move(*s);
    else if (key == "group") out.type.group = std::move(*s);
    else out.type.version = std::move(*s);
  }
  if (api.empty()) return {};
  auto slash = api.find('/');
  if (slash == std::string::npos) {
    out.type.version = api;
  } else if (api.find('/', slash + 1) == std::string::npos) {
    out.type.group = api.substr(0, slash);
    out.type.version = api.substr(slash + 1);
  }
  return {};
}

}  // namespace

result<std::vector<var_spec>> read_vars(const value& list, const std::string& file) {
  std::vector<var_spec> out;
  if (list.IsNull()) return out;
  if (!list.IsArray()) return bad_field(file, "vars", "a list");
  for (const auto& item : list.GetArray()) {
    var_spec v;
    v.file = file;
    auto ms = members(item, file, "vars", {"name", "objref", "fieldref"});
    if (!ms) return ms.error();
    for (const auto& [key, field] : *ms) {
      if (key == "name") {
        auto s = read_string(*field, file, "vars.name");
        if (!s) return s.error();
        v.name = std::move(*s);
      } else if (key == "objref") {
        if (auto r = read_objref(*field, file, v); !r) return r.error();
      } else if (!field->IsNull()) {
        auto fs = members(*field, file, "vars.fieldref", {"fieldpath"});
        if (!fs) return fs.error();
        for (const auto& f : *fs) {
          auto s = read_string(*f.second, file, "vars.fieldref.fieldpath");
          if (!s) return s.error();
          if (!s->empty()) v.field_path = std::move(*s);
        }
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

namespace {

bool objref_matches(const var_spec& v, const res_id& id) {
  if (id.name != v.obj_name || !(id.type == v.type)) return false;
  // An empty namespace matches any (kustomize keeps that for old kustomizations); for a kind
  // without namespaces, kustomize v5.8.1 matches nothing once a namespace is given, even "default".
  if (v.ns.empty()) return true;
  return !is_cluster_scoped(v.type) && id.effective_ns() == v.ns;
}

std::string describe_objref(const var_spec& v) {
  std::string api = v.type.api_version();
  return fmt::format("{} {} \"{}\"{}", api.empty() ? "(no apiVersion)" : api,
                     v.type.kind.empty() ? "(no kind)" : v.type.kind, v.obj_name,
                     v.ns.empty() ? "" : fmt::format(" in namespace {}", v.ns));
}

}  // namespace

result<void> attach_vars(resmap& ra, const std::vector<var_spec>& vars, var_set& all) {
  if (vars.empty()) return {};
  // Objects by every name they have had: each var looks at its candidates only.
  std::unordered_multimap<std::string, std::size_t> by_name;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    by_name.emplace(ra[i].cur().name, i);
    for (const auto& p : ra[i].prev) by_name.emplace(p.name, i);
  }
  for (const auto& v : vars) {
    std::vector<std::size_t> hits;
    auto [from, to] = by_name.equal_range(v.obj_name);
    for (auto it = from; it != to; ++it) {
      const resource& r = ra[it->second];
      auto hit = [&](const res_id& id) { return objref_matches(v, id); };
      bool matched = hit(r.cur()) || std::any_of(r.prev.begin(), r.prev.end(), hit);
      if (matched && std::find(hits.begin(), hits.end(), it->second) == hits.end()) hits.push_back(it->second);
    }
    std::sort(hits.begin(), hits.end());
    if (hits.size() > 1)
      return kustomize_error(v.file, fmt::format("var \"{}\": {} objects match its objref {} ({} and {})", v.name,
                                                 hits.size(), describe_objref(v), ra[hits[0]].describe(),
                                                 ra[hits[1]].describe()));
    if (hits.size() == 1) ra[hits[0]].ref_vars.push_back(v.name);
  }
  for (const auto& v : vars) {
    auto [it, fresh] = all.file_of.emplace(v.name, v.file);
    if (!fresh)
      return kustomize_error(v.file, fmt::format("var \"{}\" is declared twice (also in {}); kustomize allows one "
                                                 "var of a name in a build", v.name, it->second));
    all.list.push_back(v);
  }
  return {};
}

namespace {

// kustomize's refvar filter on one field: a string, the strings of a map, or a list of strings.
// `untagged`: numbers and booleans here may be ones kustomize would take for strings (unknown which).
// `created`: the numbers and booleans a replacement created: kustomize's untagged nodes, which it
// expands as strings. `budget`: the bytes the expansions may still add.
result<void> expand_field(value& v, const var_lookup& find, bool untagged,
                          const std::unordered_set<const value*>& created, std::size_t& budget, alloc_t& a) {
  auto set = [&](value& s) -> result<void> {
    std::size_t before = s.GetStringLength();
    auto out = expand_vars(json::view(s), find, before + budget);
    if (!out)
      return make_error(errc::limit_exceeded, "vars make the objects grow past the build's budget (limit "
                                              "max-render-bytes)");
    if (out->k == var_value::kind::integer) {
      s.SetInt64(out->integer);
    } else if (out->k == var_value::kind::real) {
      s.SetDouble(out->real);
    } else if (out->k == var_value::kind::boolean) {
      s.SetBool(out->boolean);
    } else {
      if (out->text.size() > before) budget -= out->text.size() - before;
      s.SetString(out->text.data(), static_cast<rapidjson::SizeType>(out->text.size()), a);
    }
    return {};
  };
  auto as_text = [&](value& s) {
    if (!(s.IsNumber() || s.IsBool()) || !created.contains(&s)) return false;
    std::string t = value_text(s);
    s.SetString(t.data(), static_cast<rapidjson::SizeType>(t.size()), a);
    return true;
  };
  auto typed = [&](const value& s) -> result<void> {
    if (untagged && (s.IsNumber() || s.IsBool()))
      return make_error(errc::unsupported, "a replacement (create) wrote a number or boolean into this object and "
                                           "a patch changed it since: kustomize's vars would turn such a number "
                                           "into a string; gitopsd no longer knows which one it was");
    return {};
  };
  if (v.IsString() || as_text(v)) return set(v);
  if (v.IsObject()) {
    for (auto& m : v.GetObject()) {
      auto r = m.value.IsString() || as_text(m.value) ? set(m.value) : typed(m.value);
      if (!r) return r;
    }
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) {
      as_text(item);
      if (auto r = typed(item); !r) return r;
      if (!item.IsString())
        return make_error(errc::invalid_kustomization, "a list item is not a string, which kustomize refuses "
                                                       "when it expands vars");
      if (auto r = set(item); !r) return r;
    }
  } else if (auto r = typed(v); !r) {
    return r;
  }
  return {};
}

// kustomize writes an object's annotations back as text at the end of the build: an annotation
// that is exactly "$(PORT)" ends up "5432", not 5432.
void annotations_as_text(value& object, alloc_t& a) {
  if (!object.IsObject()) return;
  auto meta = object.FindMember("metadata");
  if (meta == object.MemberEnd() || !meta->value.IsObject()) return;
  auto annotations = meta->value.FindMember("annotations");
  if (annotations == meta->value.MemberEnd() || !annotations->value.IsObject()) return;
  for (auto& m : annotations->value.GetObject()) {
    if (!m.value.IsNumber() && !m.value.IsBool()) continue;
    // The node's text as kustomize's vars wrote it (strconv's 'f' for a float).
    std::string text = m.value.IsBool()    ? (m.value.GetBool() ? "true" : "false")
                       : m.value.IsInt64() ? std::to_string(m.value.GetInt64())
                       : m.value.IsDouble() ? go_float_f(m.value.GetDouble())
                                            : std::to_string(m.value.GetUint64());
    m.value.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  }
}

error shared_error(const resource& r, const std::string& raw, std::string_view why) {
  return unsupported_error(r.origin, fmt::format("the label or annotation value \"{}\" of {} {}: kustomize shares "
                                                 "one node between an object's metadata, selectors and templates, and "
                                                 "expanding vars in one copy changes them all; gitopsd does not follow "
                                                 "that", raw, r.describe(), why));
}

// The strings of `object` (a stack, not recursion: objects come from Git).
void each_string(const value& object, const std::function<void(std::string_view)>& fn) {
  std::vector<const value*> stack{&object};
  while (!stack.empty()) {
    const value* v = stack.back();
    stack.pop_back();
    if (v->IsObject()) {
      for (const auto& m : v->GetObject()) stack.push_back(&m.value);
    } else if (v->IsArray()) {
      for (const auto& item : v->GetArray()) stack.push_back(&item);
    } else if (v->IsString()) {
      fn(json::view(*v));
    }
  }
}

// Refuses where kustomize's shared label and annotation nodes would make its output differ: a copy
// vars did not reach that kustomize changed with the metadata copy, or a value vars reached in two
// places (a Deployment's annotations) that kustomize's shared node got expanded twice, differently.
// `budget`: the bytes these trial expansions may take in all (they are kept while checking).
result<void> check_shared(const resmap& ra, const var_lookup& find, std::size_t budget) {
  auto over = [](const resource& r) {
    return make_error(errc::limit_exceeded, fmt::format("{}: {}: vars make its label and annotation values grow past "
                                                        "the build's budget (limit max-render-bytes)",
                                                        r.origin, r.describe()));
  };
  struct change {
    std::string once;      // the text after one expansion
    bool twice_differs = false;
  };
  std::unordered_map<std::string, std::optional<change>> changes;  // raw value -> what vars make of it
  for (const auto& r : ra) {
    std::vector<std::pair<std::string_view, const change*>> changed;
    for (const auto& raw : r.shared_values) {
      auto known = changes.find(raw);
      if (known == changes.end()) {
        std::optional<change> c;
        auto once = expand_vars(raw, find, raw.size() + budget);
        if (!once) return over(r);
        if (!(once->k == var_value::kind::text && once->text == raw)) {
          c.emplace();
          if (once->k == var_value::kind::text) {
            budget -= std::min(budget, once->text.size());
            c->once = once->text;
            auto twice = expand_vars(once->text, find, once->text.size() + budget);
            if (!twice) return over(r);
            c->twice_differs = !(*twice == *once);
          }
        }
        known = changes.emplace(raw, std::move(c)).first;
      }
      if (known->second) changed.emplace_back(raw, &*known->second);
    }
    if (changed.empty()) continue;
    std::vector<std::size_t> expanded(changed.size(), 0);
    std::optional<std::size_t> raw_left;
    each_string(r.obj, [&](std::string_view s) {
      for (std::size_t i = 0; i < changed.size(); ++i) {
        if (s == changed[i].first) raw_left = i;
        if (changed[i].second->twice_differs && s == changed[i].second->once) ++expanded[i];
      }
    });
    if (raw_left)
      return shared_error(r, std::string(changed[*raw_left].first),
                          "stays unexpanded where vars do not reach (a selector, a template)");
    for (std::size_t i = 0; i < changed.size(); ++i)
      if (expanded[i] > 1)
        return shared_error(r, std::string(changed[i].first), "is expanded in two places, which kustomize does "
                                                              "twice to its one node, with another result");
  }
  return {};
}

}  // namespace

result<void> resolve_vars(resmap& ra, var_set vars, const std::vector<field_spec>& specs, std::size_t max_growth) {
  auto& all = vars.list;
  if (all.empty()) return {};
  std::sort(all.begin(), all.end(), [](const var_spec& x, const var_spec& y) { return x.name < y.name; });
  std::unordered_map<std::string, const resource*> owners;  // the first object a var chose
  for (const auto& r : ra)
    for (const auto& name : r.ref_vars) owners.emplace(name, &r);
  std::map<std::string, var_value, std::less<>> values;
  for (const auto& v : all) {
    auto found = owners.find(v.name);
    const resource* owner = found == owners.end() ? nullptr : found->second;
    if (owner == nullptr)
      return kustomize_error(v.file, fmt::format("var \"{}\": no object matches its objref {} ({})", v.name,
                                                 describe_objref(v),
                                                 !v.ns.empty() && is_cluster_scoped(v.type)
                                                     ? "a namespace on a kind without namespaces matches nothing"
                                                     : "kustomize compares group, version, kind and name exactly"));
    auto got = read_var_field(owner->obj, v.field_path, owner->written, owner->untagged, owner->written_moved);
    // kustomize reads an untagged number as its text: a replacement may have made this one, and a
    // patch since may have moved it.
    if (got && owner->untagged_scalars && got->k != var_value::kind::text && got->k != var_value::kind::opaque)
      got = make_error(errc::unsupported, fmt::format("field \"{}\" may be a number or boolean a replacement "
                                                      "created before a patch, which kustomize would read as text",
                                                      v.field_path));
    if (!got) return got.error().wrap(fmt::format("{}: var \"{}\" in {}", v.file, v.name, owner->describe()));
    values.emplace(v.name, std::move(*got));
  }
  var_lookup find = [&](std::string_view name) -> const var_value* {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  };
  for (auto& r : ra) {
    auto& a = r.obj.GetAllocator();
    std::unordered_set<const value*> created;
    for (const auto& pointer : r.untagged)
      if (const value* at = rapidjson::Pointer(pointer.c_str(), pointer.size()).Get(r.obj)) created.insert(at);
    for (const auto& spec : specs) {
      if (!gvk::of(r.obj).selected_by(spec.selector)) continue;
      auto done = visit_path(r.obj, spec.path, create_as::nothing, a, [&](value& v) {
        return expand_field(v, find, r.untagged_scalars, created, max_growth, a);
      });
      if (!done) return done.error().wrap(fmt::format("{}: field \"{}\" of {}", r.origin, spec.path, r.describe()));
    }
    annotations_as_text(r.obj, a);
  }
  return check_shared(ra, find, max_growth);
}

}  // namespace gitopsd::render::kustomize
