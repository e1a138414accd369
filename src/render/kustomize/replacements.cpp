// kustomize's replacements: read the entries, find the one source object, read its field, and
// write the value into every selected target field (creating it when asked).
#include "replacements.hpp"

#include "../growth_guard.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "../yaml_scalar.hpp"
#include "field_names.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <memory>

namespace gitopsd::render::kustomize {

namespace {

using value = rapidjson::Value;

// Paths come from the repository: their length bounds the walk's recursion.
constexpr std::size_t max_path_parts = 128;

#define TRY(expr)                   \
  do {                              \
    auto tmp_ = (expr);             \
    if (!tmp_) return tmp_.error(); \
  } while (0)

// Replacements are decoded with Go's encoding/json: a field name matches in any case (the last
// spelling wins, field_names.hpp); unknown fields are refused in the kustomization (strict decoding)
// and skipped in a `path:` file (plain decoding).
struct reader {
  const std::string& file;
  bool strict = true;

  [[nodiscard]] error bad(std::string_view field, std::string_view want) const {
    return kustomize_error(file, fmt::format("field \"{}\" must be {}", field, want));
  }

  result<std::string> str(const value& v, std::string_view field) const {
    if (!v.IsString()) return bad(field, "a string");
    return std::string(json::view(v));
  }

  struct member {
    std::string_view name;  // the field's own spelling
    const rapidjson::Value& value;
  };

  result<std::vector<member>> known(const value& v, std::string_view where,
                                    std::initializer_list<std::string_view> names) const {
    if (!v.IsObject()) return bad(where, "a map");
    std::vector<member> out;
    for (const auto& m : v.GetObject()) {
      auto name = match_field(json::view(m.name), names);
      if (name) out.push_back({*name, m.value});
      else if (strict) return kustomize_error(file, fmt::format("unknown field \"{}\" in {}", json::view(m.name), where));
    }
    return out;
  }

  result<replacement_selector> selector(const value& v, std::string_view where, bool source) const {
    replacement_selector s;
    auto ms = source ? known(v, where, {"group", "version", "kind", "name", "namespace", "fieldPath", "options"})
                     : known(v, where, {"group", "version", "kind", "name", "namespace", "labelSelector",
                                        "annotationSelector"});
    if (!ms) return ms.error();
    for (const auto& m : *ms) {
      std::string_view k = m.name;
      std::string* dest = k == "group"                ? &s.type.group
                          : k == "version"            ? &s.type.version
                          : k == "kind"               ? &s.type.kind
                          : k == "name"               ? &s.name
                          : k == "namespace"          ? &s.ns
                          : k == "labelSelector"      ? &s.label_selector
                          : k == "annotationSelector" ? &s.annotation_selector
                                                      : nullptr;
      if (dest == nullptr) continue;
      auto text = str(m.value, fmt::format("{}.{}", where, k));
      if (!text) return text.error();
      *dest = std::move(*text);
    }
    return s;
  }

  result<replacement_options> options(const value& v, std::string_view where) const {
    replacement_options o;
    auto ms = known(v, where, {"delimiter", "index", "encoding", "create"});
    if (!ms) return ms.error();
    for (const auto& m : *ms) {
      std::string_view k = m.name;
      std::string f = fmt::format("{}.{}", where, k);
      if (k == "delimiter") {
        auto d = str(m.value, f);
        if (!d) return d.error();
        o.delimiter = std::move(*d);
      } else if (k == "index") {
        if (!m.value.IsInt64()) return bad(f, "an integer");
        o.index = m.value.GetInt64();
      } else if (k == "create") {
        if (!m.value.IsBool()) return bad(f, "true or false");
        o.create = m.value.GetBool();
      }  // `encoding` is accepted and unused, as in kustomize
    }
    return o;
  }

  result<replacement_target> target(const value& v, std::string_view where) const {
    replacement_target t;
    auto ms = known(v, where, {"select", "reject", "fieldPaths", "options"});
    if (!ms) return ms.error();
    bool selected = false;
    for (const auto& m : *ms) {
      std::string_view k = m.name;
      std::string f = fmt::format("{}.{}", where, k);
      if (k == "select") {
        if (m.value.IsNull()) continue;
        auto s = selector(m.value, f, false);
        if (!s) return s.error();
        t.select = std::move(*s);
        selected = true;
      } else if (k == "reject") {
        if (m.value.IsNull()) continue;
        if (!m.value.IsArray()) return bad(f, "a list");
        for (const auto& r : m.value.GetArray()) {
          auto s = selector(r, f, false);
          if (!s) return s.error();
          t.reject.push_back(std::move(*s));
        }
      } else if (k == "fieldPaths") {
        if (m.value.IsNull()) continue;
        if (!m.value.IsArray()) return bad(f, "a list of strings");
        for (const auto& p : m.value.GetArray()) {
          auto text = str(p, f);
          if (!text) return text.error();
          t.field_paths.push_back(std::move(*text));
        }
      } else if (k == "options") {
        if (m.value.IsNull()) continue;
        auto o = options(m.value, f);
        if (!o) return o.error();
        t.options = *o;
      }
    }
    if (!selected) return kustomize_error(file, "replacements: target must specify resources to select");
    return t;
  }

  result<replacement_spec> replacement(const value& v, std::string_view where, bool allow_path) const {
    replacement_spec r;
    auto ms = allow_path ? known(v, where, {"source", "targets", "sourceValue", "path"})
                         : known(v, where, {"source", "targets", "sourceValue"});
    if (!ms) return ms.error();
    for (const auto& m : *ms) {
      std::string_view k = m.name;
      std::string f = fmt::format("{}.{}", where, k);
      if (k == "source") {
        if (m.value.IsNull()) continue;
        auto s = selector(m.value, f, true);
        if (!s) return s.error();
        r.source = std::move(*s);
        if (auto fp = find_field(m.value, "fieldPath"); fp != nullptr && !fp->IsNull()) {
          auto text = str(*fp, f + ".fieldPath");
          if (!text) return text.error();
          r.field_path = std::move(*text);
        }
        if (auto o = find_field(m.value, "options"); o != nullptr && !o->IsNull()) {
          auto opts = options(*o, f + ".options");
          if (!opts) return opts.error();
          r.source_options = *opts;
        }
      } else if (k == "sourceValue") {
        auto text = str(m.value, f);
        if (!text) return text.error();
        r.source_value = std::move(*text);
      } else if (k == "targets") {
        if (m.value.IsNull()) continue;
        if (!m.value.IsArray()) return bad(f, "a list");
        r.has_targets = true;
        for (const auto& t : m.value.GetArray()) {
          auto target = this->target(t, f);
          if (!target) return target.error();
          r.targets.push_back(std::move(*target));
        }
      }
    }
    return r;
  }
};

// ---- field paths ----

bool is_index_number(std::string_view p) {
  if (p.empty() || p.size() > 9) return false;
  std::size_t i = p[0] == '+' ? 1 : 0;
  if (i == p.size()) return false;
  for (; i < p.size(); ++i)
    if (p[i] < '0' || p[i] > '9') return false;
  return true;
}

bool is_list_index(std::string_view p) { return p.size() >= 2 && p.front() == '[' && p.back() == ']'; }

std::unique_ptr<RE2> compile(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) return nullptr;
  return re;
}

// The text kustomize compares a list element's field against (its YAML scalar text).
std::optional<std::string> scalar_text(const value& v) {
  if (v.IsString()) return std::string(json::view(v));
  if (v.IsNumber() || v.IsBool()) return json::serialize(v);
  if (v.IsNull()) return std::string();
  return std::nullopt;
}

void set_scalar_text(value& target, const std::string& text, alloc_t& a);

struct walker {
  alloc_t* a = nullptr;  // null: read only
  bool create = false;
  bool create_map = false;  // the value written is a map or list, not a scalar
  bool regex = true;        // [k=v] matches v as an unanchored regular expression (targets)
  std::vector<value*> found;
  std::vector<std::string> found_at;  // the JSON pointer of each found node
  std::string failure;
  // Created list elements' keys that are numbers or booleans (see resource::untagged), by pointer.
  std::vector<std::string> untagged_at;
  std::string at;  // the pointer of the node being walked

  // Walks `node` as child `segment` of the current one.
  bool down(value& node, std::string_view segment, const std::vector<std::string>& parts, std::size_t i) {
    std::size_t mark = at.size();
    append_pointer(at, segment);
    bool ok = walk(node, parts, i);
    at.resize(mark);
    return ok;
  }

  value new_node(const std::string& next) const {
    if (is_list_index(next) || is_index_number(next)) return value(rapidjson::kArrayType);
    if (next.empty()) return create_map ? value(rapidjson::kObjectType) : value();
    return value(rapidjson::kObjectType);
  }

  bool walk(value& node, const std::vector<std::string>& parts, std::size_t i) {
    if (i == parts.size()) {
      found.push_back(&node);
      found_at.push_back(at);
      return true;
    }
    const std::string& part = parts[i];
    std::string next = i + 1 < parts.size() ? parts[i + 1] : std::string();
    if (is_index_number(part)) {
      if (!node.IsArray()) return fail("wrong node kind: expected a list");
      std::size_t idx = std::stoul(part[0] == '+' ? part.substr(1) : part);
      if (idx == node.Size() && create && a != nullptr) node.PushBack(new_node(next), *a);
      if (idx >= node.Size())
        return fail(fmt::format("index {} specified but only {} elements found", idx, node.Size()));
      return down(node[static_cast<rapidjson::SizeType>(idx)], std::to_string(idx), parts, i + 1);
    }
    if (is_list_index(part)) return walk_list(node, parts, i);
    if (!regex && part == "*") return fail("wildcard is not supported in PathGetter");
    if (!regex && part == "-") {  // a lookup's last element
      if (!node.IsArray()) return fail("wrong node kind: expected a list");
      if (node.Empty()) return true;
      return down(node[node.Size() - 1], std::to_string(node.Size() - 1), parts, i + 1);
    }
    if (part == "*") {
      if (!node.IsArray()) return fail("wrong node kind: expected a list");
      for (rapidjson::SizeType k = 0; k < node.Size(); ++k)
        if (!down(node[k], std::to_string(k), parts, i + 1)) return false;
      return true;
    }
    if (!node.IsObject()) {
      if (node.IsNull() && create && a != nullptr) node.SetObject();
      else if (node.IsArray() || node.IsObject()) return fail("wrong node kind: expected a map");
      else return true;  // a scalar on the way: nothing here
    }
    auto it = node.FindMember(rapidjson::StringRef(part.data(), part.size()));
    if (it == node.MemberEnd()) {
      if (!create || a == nullptr) return true;
      node.AddMember(value(part.c_str(), *a), new_node(next), *a);
      it = node.MemberEnd() - 1;
    }
    if (i + 1 < parts.size() && !it->value.IsObject() && !it->value.IsArray()) {
      if (!(it->value.IsNull() && create)) return true;  // kustomize would read the scalar as YAML; not followed
    }
    return down(it->value, part, parts, i + 1);
  }

  bool walk_list(value& node, const std::vector<std::string>& parts, std::size_t i) {
    std::string_view inner = std::string_view(parts[i]).substr(1, parts[i].size() - 2);
    auto eq = inner.find('=');
    if (eq == std::string_view::npos)
      return fail("list path element must contain fieldName=fieldValue for element to match");
    std::string field(inner.substr(0, eq)), want(inner.substr(eq + 1));
    if (node.IsNull() && create && a != nullptr) node.SetArray();
    if (!node.IsArray()) return fail("wrong node kind: expected a list");
    std::unique_ptr<RE2> re;
    if (regex) {
      re = compile(want);
      if (!re) return fail(fmt::format("invalid regular expression \"{}\"", want));
    }
    auto hit = [&](const std::string& text) { return re ? RE2::PartialMatch(text, *re) : text == want; };
    std::size_t before = found.size();
    bool any = false;
    for (rapidjson::SizeType k = 0; k < node.Size(); ++k) {
      value& item = node[k];
      std::optional<std::string> text;
      if (field.empty()) {
        text = scalar_text(item);
      } else if (item.IsObject()) {
        if (auto* f = json::find(item, field); f != nullptr && !f->IsNull()) text = scalar_text(*f);
      }
      if (!text || !hit(*text)) continue;
      any = true;
      if (!field.empty() || i + 1 == parts.size()) {
        if (field.empty()) {
          found.push_back(&item);
          found_at.push_back(at);
          append_pointer(found_at.back(), std::to_string(k));
        } else if (!down(item, std::to_string(k), parts, i + 1)) {
          return false;
        }
      }
      if (!regex) break;  // a lookup takes the first match
    }
    if (any || !create || a == nullptr || found.size() != before) return true;
    // The created element's value is untagged: it reads as YAML would read the text.
    value key_value;
    set_scalar_text(key_value, want, *a);
    std::string index = std::to_string(node.Size());
    if (key_value.IsNumber() || key_value.IsBool()) {
      untagged_at.push_back(at);
      append_pointer(untagged_at.back(), index);
      if (!field.empty()) append_pointer(untagged_at.back(), field);
    }
    if (field.empty()) {
      node.PushBack(key_value, *a);
    } else {
      value elem(rapidjson::kObjectType);
      elem.AddMember(value(field.c_str(), *a), key_value, *a);
      node.PushBack(elem, *a);
    }
    value& added = node[node.Size() - 1];
    if (field.empty()) {
      if (i + 1 == parts.size()) {
        found.push_back(&added);
        found_at.push_back(at);
        append_pointer(found_at.back(), index);
      }
      return true;
    }
    return down(added, index, parts, i + 1);
  }

  bool fail(std::string why) {
    failure = std::move(why);
    return false;
  }
};

// ---- ids and selection ----

std::string no(std::string_view s, std::string_view none) { return s.empty() ? std::string(none) : std::string(s); }

std::string resid_text(const gvk& g, std::string_view name, std::string_view ns) {
  return fmt::format("{}.{}.{}/{}.{}", no(g.kind, "[noKind]"), no(g.version, "[noVer]"), no(g.group, "[noGrp]"),
                     no(name, "[noName]"), no(ns, "[noNs]"));
}

std::string source_text(const replacement_spec& r) {
  std::string out = resid_text(r.source->type, r.source->name, r.source->ns);
  if (!r.field_path.empty()) out += ":" + r.field_path;
  if (r.source_options && (!r.source_options->delimiter.empty() || r.source_options->create))
    out += fmt::format(":{}({}), create={}", r.source_options->delimiter, r.source_options->index,
                       r.source_options->create ? "true" : "false");
  return out;
}

// Every identity the object had in this build: the current one first, then the earlier ones.
std::vector<res_id> ids_of(const resource& r) {
  std::vector<res_id> ids{r.cur()};
  ids.insert(ids.end(), r.prev.begin(), r.prev.end());
  return ids;
}

bool exactly_selected(const res_id& id, const replacement_selector& s) {
  return (s.name.empty() || s.name == id.name) && (s.ns.empty() || (s.ns.empty() ? "default" : s.ns) == id.effective_ns()) &&
         id.type.selected_by(s.type);
}

struct compiled_selector {
  std::unique_ptr<RE2> group, version, kind, name, ns;
  const replacement_selector* s = nullptr;

  [[nodiscard]] bool empty_id() const {
    return s->type.group.empty() && s->type.version.empty() && s->type.kind.empty() && s->name.empty() && s->ns.empty();
  }
  [[nodiscard]] bool selects(const res_id& id) const {
    auto ok = [](const std::unique_ptr<RE2>& re, const std::string& text) {
      return !re || RE2::FullMatch(text, *re);
    };
    return ok(group, id.type.group) && ok(version, id.type.version) && ok(kind, id.type.kind) && ok(name, id.name) &&
           ok(ns, id.ns);
  }
};

result<compiled_selector> compile_selector(const replacement_selector& s, const std::string& file) {
  compiled_selector c;
  c.s = &s;
  for (auto [pattern, dest] : {std::pair{&s.type.group, &c.group}, std::pair{&s.type.version, &c.version},
                               std::pair{&s.type.kind, &c.kind}, std::pair{&s.name, &c.name}, std::pair{&s.ns, &c.ns}}) {
    if (pattern->empty()) continue;
    *dest = compile(*pattern);
    if (!*dest)
      return kustomize_error(file, fmt::format("replacements: invalid regular expression \"{}\" in a target", *pattern));
  }
  return c;
}

result<bool> labels_match(const resource& r, const replacement_selector& s, const std::string& file) {
  if (s.label_selector.empty() && s.annotation_selector.empty()) return true;
  selector only;
  only.label_selector = s.label_selector;
  only.annotation_selector = s.annotation_selector;
  return matches(r, only, file);
}

// ---- values ----

// Go's strings.Split.
std::vector<std::string> split(const std::string& text, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    auto at = text.find(sep, start);
    if (at == std::string::npos) break;
    out.push_back(text.substr(start, at - start));
    start = at + sep.size();
  }
  out.push_back(text.substr(start));
  return out;
}

bool is_scalar(const value& v) { return !v.IsObject() && !v.IsArray(); }

// A scalar keeps its own type when kustomize writes new text into it; a new or null field takes
// the type the text reads as.
void set_scalar_text(value& target, const std::string& text, alloc_t& a) {
  using detail::resolve_plain;
  auto as_string = [&] { target.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a); };
  auto s = resolve_plain(text, false);
  if (target.IsString()) return as_string();
  if (target.IsNumber() && (s.kind == scalar_kind::integer || s.kind == scalar_kind::floating)) {
    if (s.kind == scalar_kind::integer) target.SetInt64(s.integer);
    else target.SetDouble(s.real);
    return;
  }
  if (target.IsBool() && s.kind == scalar_kind::boolean) return target.SetBool(s.truth), void();
  if (target.IsNull()) {
    switch (s.kind) {
      case scalar_kind::null: return target.SetNull(), void();
      case scalar_kind::boolean: return target.SetBool(s.truth), void();
      case scalar_kind::integer: return target.SetInt64(s.integer), void();
      case scalar_kind::floating: return target.SetDouble(s.real), void();
      default: return as_string();
    }
  }
  as_string();
}

result<void> write_value(value& target, const value& source, const std::optional<replacement_options>& o, alloc_t& a,
                         const std::string& file) {
  std::string text = is_scalar(source) ? scalar_text(source).value_or("") : std::string();
  if (o && !o->delimiter.empty()) {
    if (!is_scalar(target))
      return kustomize_error(file, "replacements: delimiter option can only be used with scalar nodes");
    auto parts = split(scalar_text(target).value_or(""), o->delimiter);
    if (o->index < 0) parts.insert(parts.begin(), text);
    else if (static_cast<std::size_t>(o->index) >= parts.size()) parts.push_back(text);
    else parts[static_cast<std::size_t>(o->index)] = text;
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) joined += (i ? o->delimiter : "") + parts[i];
    if (is_scalar(source)) {
      set_scalar_text(target, joined, a);
    } else {
      target.SetString(joined.c_str(), static_cast<rapidjson::SizeType>(joined.size()), a);
    }
    return {};
  }
  if (is_scalar(target)) {
    set_scalar_text(target, text, a);  // a map or list source gives its (empty) scalar text
    return {};
  }
  target.CopyFrom(source, a);
  return {};
}

result<rapidjson::Document> source_value(const resmap& ra, const replacement_spec& r, const std::string& file) {
  rapidjson::Document out;
  if (r.source_value) {
    out.SetString(r.source_value->c_str(), static_cast<rapidjson::SizeType>(r.source_value->size()), out.GetAllocator());
    return out;
  }
  const resource* hit = nullptr;
  for (const auto& res : ra) {
    for (const auto& id : ids_of(res)) {
      if (!exactly_selected(id, *r.source)) continue;
      if (hit != nullptr)
        return kustomize_error(file, fmt::format("replacements: multiple matches for selector {}", source_text(r)));
      hit = &res;
      break;
    }
  }
  if (hit == nullptr) return kustomize_error(file, fmt::format("replacements: nothing selected by {}", source_text(r)));
  std::string path = r.field_path.empty() ? "metadata.name" : r.field_path;
  auto parts = split_field_path(path);
  if (parts.size() > max_path_parts)
    return kustomize_error(file, fmt::format("replacements: fieldPath `{}` has more than {} parts", path, max_path_parts));
  walker w;
  w.regex = false;
  value& root = const_cast<value&>(static_cast<const value&>(hit->obj));  // read only: no allocator given
  if (!w.walk(root, parts, 0))
    return kustomize_error(file, fmt::format("replacements: error looking up replacement source: {}", w.failure));
  const value* v = w.found.empty() ? nullptr : w.found.front();
  bool empty = v == nullptr || v->IsNull() || (v->IsObject() && v->MemberCount() == 0) || (v->IsArray() && v->Empty());
  if (empty)
    return kustomize_error(file, fmt::format("replacements: fieldPath `{}` is missing for replacement source {}", path,
                                             resid_text(r.source->type, r.source->name, r.source->ns)));
  out.CopyFrom(*v, out.GetAllocator());
  if (r.source_options && !r.source_options->delimiter.empty()) {
    if (!is_scalar(out)) return kustomize_error(file, "replacements: delimiter option can only be used with scalar nodes");
    std::string whole = scalar_text(out).value_or("");
    auto parts_of = split(whole, r.source_options->delimiter);
    auto idx = r.source_options->index;
    if (idx < 0 || static_cast<std::size_t>(idx) >= parts_of.size())
      return kustomize_error(file, fmt::format("replacements: options.index {} is out of bounds for value {}", idx, whole));
    // kustomize keeps the node's type with the part's text.
    value part(out, out.GetAllocator());
    set_scalar_text(part, parts_of[static_cast<std::size_t>(idx)], out.GetAllocator());
    out.CopyFrom(part, out.GetAllocator());
  }
  return out;
}

std::string retrieval_error(const std::string& path, bool create) {
  return create ? fmt::format("unable to find or create field \"{}\" in replacement target", path)
                : fmt::format("unable to find field \"{}\" in replacement target", path);
}

result<void> apply_target(resmap& ra, const value& v, const replacement_target& t, const std::string& file) {
  auto sel = compile_selector(t.select, file);
  if (!sel) return sel.error();
  std::vector<compiled_selector> rejects;
  for (const auto& r : t.reject) {
    auto c = compile_selector(r, file);
    if (!c) return c.error();
    rejects.push_back(std::move(*c));
  }
  std::vector<std::string> paths = t.field_paths.empty() ? std::vector<std::string>{"metadata.name"} : t.field_paths;
  bool create = t.options && t.options->create;
  for (auto& res : ra) {
    auto ids = ids_of(res);
    auto by_labels = labels_match(res, t.select, file);
    if (!by_labels) return by_labels.error();
    if (!*by_labels) continue;
    bool rejected = false;
    for (const auto& rej : rejects) {
      if (!rej.s->label_selector.empty() || !rej.s->annotation_selector.empty()) {
        auto m = labels_match(res, *rej.s, file);
        if (!m) return m.error();
        if (*m) rejected = true;
      }
      if (!rej.empty_id())
        for (const auto& id : ids) rejected = rejected || rej.selects(id);
    }
    if (rejected) continue;
    bool selected = false;
    for (const auto& id : ids) selected = selected || sel->selects(id);
    if (!selected) continue;
    auto& a = res.obj.GetAllocator();
    for (const auto& path : paths) {
      auto parts = split_field_path(path);
      if (parts.size() > max_path_parts)
        return kustomize_error(file, fmt::format("replacements: fieldPath `{}` has more than {} parts", path, max_path_parts));
      walker w;
      w.a = &a;
      w.create = create;
      w.create_map = !is_scalar(v);
      if (!w.walk(res.obj, parts, 0))
        return kustomize_error(file, fmt::format("replacements: {}: {}", retrieval_error(path, create), w.failure));
      if (w.found.empty()) return kustomize_error(file, "replacements: " + retrieval_error(path, create));
      res.untagged.insert(w.untagged_at.begin(), w.untagged_at.end());
      // kustomize writes annotations back as strings when it drops its own build annotations.
      bool annotation = parts.size() == 3 && parts[0] == "metadata" && parts[1] == "annotations";
      for (std::size_t k = 0; k < w.found.size(); ++k) {
        value* field = w.found[k];
        bool was_null = field->IsNull();
        TRY(write_value(*field, v, t.options, a, file));
        detail::guard_object(res.obj, file);  // a wildcard may copy the value thousands of times
        if (annotation && is_scalar(*field) && !field->IsString()) {
          std::string text = scalar_text(*field).value_or("");
          field->SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), a);
        }
        if (was_null && (field->IsNumber() || field->IsBool())) res.untagged.insert(w.found_at[k]);
      }
    }
  }
  return {};
}

}  // namespace

std::vector<std::string> split_field_path(std::string_view path) {
  // Split on dots; a trailing backslash joins a piece to the next one.
  std::vector<std::string> pieces;
  std::string cur;
  for (char c : path) {
    if (c == '.') {
      pieces.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  pieces.push_back(std::move(cur));
  if (pieces.size() > 1 && pieces.front().empty()) pieces.erase(pieces.begin());
  std::vector<std::string> joined{pieces.front()};
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    if (!joined.back().empty() && joined.back().back() == '\\') {
      joined.back().pop_back();
      joined.back() += '.' + pieces[i];
    } else {
      joined.push_back(pieces[i]);
    }
  }
  // A bracket opened in one piece closes in a later one: "[name=a.b]" stays whole.
  std::vector<std::string> out;
  for (std::size_t i = 0; i < joined.size(); ++i) {
    const std::string& elem = joined[i];
    if (!elem.starts_with('[') || elem.ends_with(']')) {
      out.push_back(elem);
      continue;
    }
    std::string whole = elem;
    while (i + 1 < joined.size()) {
      ++i;
      whole += '.' + joined[i];
      if (joined[i].ends_with(']')) break;
    }
    if (whole.find('=') != std::string::npos) {
      out.push_back(std::move(whole));
    } else {
      std::size_t b = whole.find_first_not_of("[]"), e = whole.find_last_not_of("[]");
      out.push_back(b == std::string::npos ? std::string() : whole.substr(b, e - b + 1));
    }
  }
  return out;
}

result<std::vector<replacement_spec>> read_replacements(const file_tree& tree, const std::string& dir,
                                                        const std::string& file, const rapidjson::Value& list,
                                                        const limits& lim, bool strict) {
  reader r{file, strict};
  std::vector<replacement_spec> out;
  if (list.IsNull()) return out;
  if (!list.IsArray()) return r.bad("replacements", "a list");
  for (const auto& entry : list.GetArray()) {
    if (!entry.IsObject()) return r.bad("replacements", "a list of maps");
    const value* path = find_field(entry, "path");
    if (path == nullptr || path->IsNull()) {
      auto one = r.replacement(entry, "replacements", true);
      if (!one) return one.error();
      out.push_back(std::move(*one));
      continue;
    }
    if (find_field(entry, "source") != nullptr || find_field(entry, "targets") != nullptr)
      return kustomize_error(file, "replacements: cannot specify both path and inline replacement");
    auto name = r.str(*path, "replacements.path");
    if (!name) return name.error();
    kustomization scope;
    scope.dir = dir;
    scope.file = file;
    auto norm = file_in_root(scope, *name, "replacements file");
    if (!norm) return norm.error();
    auto text = tree.read(*norm);
    if (!text) return kustomize_error(file, fmt::format("replacements file \"{}\": {}", *name, text.error().what()));
    auto docs = decode_documents(*text, *norm, lim);
    if (!docs) return docs.error();
    if (docs->empty()) continue;
    const value& doc = docs->front();
    reader inner{*norm, false};
    if (doc.IsArray()) {
      for (const auto& item : doc.GetArray()) {
        auto one = inner.replacement(item, "replacement", false);
        if (!one) return one.error();
        out.push_back(std::move(*one));
      }
    } else if (doc.IsObject()) {
      auto one = inner.replacement(doc, "replacement", false);
      if (!one) return one.error();
      out.push_back(std::move(*one));
    } else {
      return kustomize_error(*norm, "unsupported replacement type encountered within replacement path");
    }
  }
  return out;
}

result<void> apply_replacements(resmap& ra, const std::vector<replacement_spec>& specs, const std::string& file) {
  for (const auto& r : specs) {
    if ((!r.source_value && !r.source) || !r.has_targets)
      return kustomize_error(file, "replacements must specify a source and at least one target");
    if (r.source_value && r.source)
      return kustomize_error(file, "replacements: value and resource selectors are mutually exclusive");
    auto v = source_value(ra, r, file);
    if (!v) return v.error();
    for (const auto& t : r.targets) TRY(apply_target(ra, *v, t, file));
  }
  return {};
}

}  // namespace gitopsd::render::kustomize
