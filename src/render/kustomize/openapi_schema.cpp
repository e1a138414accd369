// Parsing a custom OpenAPI schema and walking it as kyaml's ResourceSchema does (Field, Elements,
// PatchStrategyAndKeyList in kyaml/openapi/openapi.go of kustomize v5.8.1).
#include "openapi_schema.hpp"

#include "model.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

error schema_error(const std::string& file, const std::string& what) {
  return make_error(errc::invalid_kustomization, fmt::format("{}: invalid OpenAPI schema: {}", file, what));
}

// go-openapi decodes every schema strictly by type; these are the fields gitopsd walks. `where()`
// names the schema, built only for an error.
template <typename Where>
result<void> check_schema(const value& s, const std::string& file, const Where& where) {
  if (s.IsNull()) return {};
  if (!s.IsObject()) return schema_error(file, fmt::format("{} must be a map", where()));
  if (const value* ref = json::find(s, "$ref"); ref && !ref->IsString() && !ref->IsNull())
    return schema_error(file, fmt::format("{}.$ref must be a string", where()));
  if (const value* t = json::find(s, "type"); t && !t->IsString() && !t->IsArray() && !t->IsNull())
    return schema_error(file, fmt::format("{}.type must be a string or a list", where()));
  for (const char* field : {"properties", "definitions", "patternProperties"})
    if (const value* p = json::find(s, field); p && !p->IsObject() && !p->IsNull())
      return schema_error(file, fmt::format("{}.{} must be a map", where(), field));
  if (const value* a = json::find(s, "additionalProperties"); a && !a->IsObject() && !a->IsBool() && !a->IsNull())
    return schema_error(file, fmt::format("{}.additionalProperties must be a map or a boolean", where()));
  if (const value* i = json::find(s, "items"); i && !i->IsObject() && !i->IsArray() && !i->IsNull())
    return schema_error(file, fmt::format("{}.items must be a map or a list", where()));
  return {};
}

// Every schema in `definitions`, checked with an explicit stack (the document's depth is bounded
// by the YAML reader already; the C++ stack stays flat). A schema's place is a node naming its
// parent, a field and a member name (views into the document), joined only for an error.
result<void> check_all(const value& defs, const std::string& file) {
  struct place {
    std::size_t parent;
    std::string_view field, name;  // ".properties", ".items[]"...; a map member's name
    bool member;
  };
  constexpr std::size_t root = static_cast<std::size_t>(-1);
  std::vector<place> places;
  std::vector<std::pair<const value*, std::size_t>> todo;
  auto push = [&](const value* s, std::size_t parent, std::string_view field, std::string_view name = {},
                  bool member = false) {
    places.push_back({parent, field, name, member});
    todo.emplace_back(s, places.size() - 1);
  };
  auto push_map = [&](const value& m, std::size_t parent, std::string_view field) {
    for (const auto& e : m.GetObject()) push(&e.value, parent, field, json::view(e.name), true);
  };
  push_map(defs, root, "");
  while (!todo.empty()) {
    auto [s, at] = todo.back();
    todo.pop_back();
    auto where = [&, at = at] {
      std::vector<const place*> chain;
      for (std::size_t i = at; i != root; i = places[i].parent) chain.push_back(&places[i]);
      std::string out = "definitions";
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        out += (*it)->field;
        if ((*it)->member) out.append(".").append((*it)->name);
      }
      return out;
    };
    if (auto r = check_schema(*s, file, where); !r) return r;
    if (!s->IsObject()) continue;
    for (std::string_view field : {".properties", ".definitions", ".patternProperties"})
      if (const value* p = json::find(*s, field.substr(1)); p && p->IsObject()) push_map(*p, at, field);
    if (const value* a = json::find(*s, "additionalProperties"); a && a->IsObject())
      push(a, at, ".additionalProperties");
    if (const value* i = json::find(*s, "items"); i && i->IsObject()) push(i, at, ".items");
    else if (i && i->IsArray())
      for (const auto& e : i->GetArray()) push(&e, at, ".items[]");
  }
  return {};
}

// kyaml's toTypeMeta: version and kind must be strings (it panics otherwise), group is optional.
result<std::optional<std::pair<std::string, std::string>>> type_of(const value& gvk, const std::string& file,
                                                                   std::string_view def) {
  if (!gvk.IsObject()) return std::nullopt;
  auto version = json::get_string(gvk, "version");
  auto kind = json::get_string(gvk, "kind");
  if (!version || !kind)
    return schema_error(file, fmt::format("{}: x-kubernetes-group-version-kind needs string "
                                          "version and kind", def));
  std::string api(*version);
  const value* g = json::find(gvk, "group");
  if (g && g->IsString() && g->GetStringLength() > 0) api = std::string(json::view(*g)) + "/" + api;
  return std::make_pair(api, std::string(*kind));
}

bool is_array_type(const value& s) {
  const value* t = json::find(s, "type");
  if (t == nullptr) return false;
  if (t->IsString()) return json::view(*t) == "array";
  return t->IsArray() && t->Size() == 1 && (*t)[0].IsString() && json::view((*t)[0]) == "array";
}

}  // namespace

result<openapi_schema> openapi_schema::parse(std::string_view text, const std::string& file, const limits& lim) {
  openapi_schema s;
  s.file_ = file;
  s.doc_ = std::make_shared<rapidjson::Document>();
  auto docs = decode_documents(text, file, lim);
  if (!docs)
    return make_error(errc::invalid_kustomization, fmt::format("{} (reading an OpenAPI schema)", docs.error().what()));
  if (docs->empty()) return schema_error(file, "the file is empty");
  s.doc_->Swap((*docs)[0]);
  const value& root = *s.doc_;
  if (!root.IsObject()) return schema_error(file, "the document must be a map");
  if (auto r = s.read_paths(root); !r) return r.error();
  const value* defs = json::find(root, "definitions");
  if (defs == nullptr || defs->IsNull()) return s;
  if (!defs->IsObject()) return schema_error(file, "definitions must be a map");
  if (auto r = check_all(*defs, file); !r) return r.error();
  for (const auto& m : defs->GetObject()) {
    std::string name(json::view(m.name));
    s.defs_[name] = &m.value;
    const value* ext = m.value.IsObject() ? json::find(m.value, "x-kubernetes-group-version-kind") : nullptr;
    if (ext == nullptr || !ext->IsArray()) continue;
    for (const auto& g : ext->GetArray()) {
      auto t = type_of(g, file, fmt::format("definition \"{}\"", name));
      if (!t) return t.error();
      if (*t) s.by_type_[**t] = &m.value;
    }
  }
  return s;
}

// kyaml's findNamespaceability: a GET operation's x-kubernetes-group-version-kind names the type; a
// path with namespaces/{namespace} makes it namespaced, another path cluster-scoped unless one did.
result<void> openapi_schema::read_paths(const rapidjson::Value& root) {
  const value* paths = json::find(root, "paths");
  if (paths == nullptr || paths->IsNull()) return {};
  if (!paths->IsObject()) return schema_error(file_, "paths must be a map");
  for (const auto& p : paths->GetObject()) {
    std::string_view path = json::view(p.name);
    if (!path.starts_with("/")) continue;  // x- extensions
    if (!p.value.IsObject() && !p.value.IsNull())
      return schema_error(file_, fmt::format("paths.{} must be a map", path));
    const value* get = p.value.IsObject() ? json::find(p.value, "get") : nullptr;
    if (get != nullptr && !get->IsObject() && !get->IsNull())
      return schema_error(file_, fmt::format("paths.{}.get must be a map", path));
    const value* gvk = get != nullptr && get->IsObject() ? json::find(*get, "x-kubernetes-group-version-kind") : nullptr;
    if (gvk == nullptr) continue;
    auto t = type_of(*gvk, file_, fmt::format("paths.{}.get", path));
    if (!t) return t.error();
    if (!*t) continue;
    if (path.find("namespaces/{namespace}") != std::string_view::npos) namespaced_[**t] = true;
    else namespaced_.emplace(**t, false);
  }
  return {};
}

std::optional<bool> openapi_schema::namespaced(const std::string& api_version, const std::string& kind) const {
  auto it = namespaced_.find({api_version, kind});
  if (it == namespaced_.end()) return std::nullopt;
  return it->second;
}

const rapidjson::Value* openapi_schema::for_type(const std::string& api_version, const std::string& kind) const {
  auto it = by_type_.find({api_version, kind});
  return it == by_type_.end() ? nullptr : it->second;
}

// A JSON pointer below `definitions`: the definition, then its members or list items
// ("#/definitions/A/properties/b"), as go-openapi resolves it. The walk is as long as `ref`.
const rapidjson::Value* openapi_schema::definition(std::string_view ref) const {
  constexpr std::string_view prefix = "#/definitions/";
  if (!ref.starts_with(prefix)) return nullptr;
  const value* at = nullptr;
  std::string token;
  for (std::size_t i = prefix.size(); i <= ref.size(); ++i) {
    if (i < ref.size() && ref[i] != '/') {
      if (ref[i] == '~' && i + 1 < ref.size() && (ref[i + 1] == '0' || ref[i + 1] == '1'))
        token += ref[++i] == '0' ? '~' : '/';
      else
        token += ref[i];
      continue;
    }
    if (at == nullptr) {
      auto it = defs_.find(token);
      if (it == defs_.end()) return nullptr;
      at = it->second;
    } else if (at->IsObject()) {
      at = json::find(*at, token);
    } else if (at->IsArray() && !token.empty() && token.size() < 10 &&
               token.find_first_not_of("0123456789") == std::string::npos) {
      std::size_t index = std::stoul(token);
      at = index < at->Size() ? &(*at)[static_cast<rapidjson::SizeType>(index)] : nullptr;
    } else {
      return nullptr;
    }
    if (at == nullptr) return nullptr;
    token.clear();
  }
  return at != nullptr && at->IsObject() ? at : nullptr;
}

result<std::optional<list_rule>> schema_list_rule(const schema_pos& root, std::string_view path,
                                                  const ref_resolver& resolve, const std::string& file,
                                                  std::size_t& ref_budget) {
  schema_pos pos = root;
  // Follows `$ref`s until a schema without one; a built-in type ends the walk in builtin mode.
  auto settle = [&]() -> result<void> {
    for (int hops = 0; pos.node != nullptr && pos.builtin.empty(); ++hops) {
      const value* ref = json::find(*pos.node, "$ref");
      if (ref == nullptr || !ref->IsString() || ref->GetStringLength() == 0) return {};
      if (hops == max_schema_ref_hops)
        return schema_error(file, fmt::format("field {}: more than {} $ref hops (a cycle?)", path, max_schema_ref_hops));
      std::size_t cost = ref->GetStringLength() + 64;
      if (cost > ref_budget)
        return make_error(errc::limit_exceeded,
                          fmt::format("{}: merging followed more than {} bytes of $ref names in this build (a patch of "
                                      "many deep lists over long $ref chains)",
                                      file, schema_ref_budget));
      ref_budget -= cost;
      pos = resolve(json::view(*ref));
    }
    return {};
  };
  std::size_t at = 0;
  std::string_view rest;  // the path below a built-in definition: "", "[]...", or "/a/b"
  while (at < path.size() && pos.node != nullptr && pos.builtin.empty()) {
    std::size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(at, end - at);
    bool elements = seg.ends_with("[]");
    std::string_view name = elements ? seg.substr(0, seg.size() - 2) : seg;
    const value* props = json::find(*pos.node, "properties");
    const value* field = props && props->IsObject() ? json::find(*props, name) : nullptr;
    if (field == nullptr) {
      const value* extra = json::find(*pos.node, "additionalProperties");
      field = extra && extra->IsObject() ? extra : nullptr;
    }
    pos.node = field != nullptr && field->IsObject() ? field : nullptr;
    if (auto r = settle(); !r) return r.error();
    if (!pos.builtin.empty()) {
      rest = path.substr(at + name.size());
      break;
    }
    if (elements && pos.node != nullptr) {
      const value* items = is_array_type(*pos.node) ? json::find(*pos.node, "items") : nullptr;
      pos.node = items != nullptr && items->IsObject() ? items : nullptr;
      if (auto r = settle(); !r) return r.error();
      if (!pos.builtin.empty()) {
        rest = path.substr(end);
        break;
      }
    }
    at = end + 1;
  }
  if (!pos.builtin.empty()) {
    // The built-in definition is the list's own type, or its elements'; their rules are elsewhere.
    if (!rest.starts_with('/') || rest.ends_with("[]")) return std::nullopt;
    return list_rule_in(pos.builtin, rest.substr(1));
  }
  if (pos.node == nullptr) return std::nullopt;
  const value* strategy = json::find(*pos.node, "x-kubernetes-patch-strategy");
  if (strategy == nullptr) return std::nullopt;
  if (!strategy->IsString())
    return schema_error(file, fmt::format("field {}: x-kubernetes-patch-strategy must be a string", path));
  bool merge = false;
  std::string_view s = json::view(*strategy);
  for (std::size_t i = 0; i <= s.size();) {
    std::size_t comma = s.find(',', i);
    if (comma == std::string_view::npos) comma = s.size();
    if (s.substr(i, comma - i) == "merge") merge = true;
    i = comma + 1;
  }
  if (!merge) return std::nullopt;
  list_rule rule;
  if (const value* keys = json::find(*pos.node, "x-kubernetes-list-map-keys")) {
    if (!keys->IsArray() || std::any_of(keys->Begin(), keys->End(), [](const value& k) { return !k.IsString(); }))
      return schema_error(file, fmt::format("field {}: x-kubernetes-list-map-keys must be a list of strings", path));
    if (keys->Size() > 2)
      return make_error(errc::unsupported, fmt::format("{}: field {}: a list with {} x-kubernetes-list-map-keys is "
                                                       "not supported by gitopsd (at most 2)", file, path, keys->Size()));
    if (keys->Size() == 0) rule.scalar_set = true;
    if (keys->Size() >= 1) rule.key = json::view((*keys)[0]);
    if (keys->Size() == 2) rule.second_key = json::view((*keys)[1]);
    return rule;
  }
  if (const value* key = json::find(*pos.node, "x-kubernetes-patch-merge-key")) {
    if (!key->IsString())
      return schema_error(file, fmt::format("field {}: x-kubernetes-patch-merge-key must be a string", path));
    rule.key = json::view(*key);
    return rule;
  }
  rule.scalar_set = true;
  return rule;
}

}  // namespace gitopsd::render::kustomize
