// Strategic merge patches (with the merge keys of built-in Kubernetes types), RFC 6902 JSON
// patches, and the selectors that pick patch targets.
#include "../growth_guard.hpp"
#include "merge_keys.hpp"
#include "model.hpp"
#include "openapi_state.hpp"
#include "smp_list.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <memory>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

std::optional<std::string_view> directive(const value& v) {
  if (!v.IsObject()) return std::nullopt;
  return json::get_string(v, "$patch");
}

struct merger {
  alloc_t& a;
  const std::string& origin;
  gvk type;
  std::string api_version;
  openapi_state* schema;  // null: kustomize's built-in schema alone
  bool nulls_as_text;  // see strategic_merge

  // Merge keys apply to the kinds the schema knows; other lists are replaced.
  result<std::optional<list_rule>> rule_at(const std::string& path) {
    if (schema != nullptr) return schema->rule(type, api_version, path);
    if (!is_builtin_group(type.group)) return std::nullopt;
    return list_rule_for(type.kind, path);
  }

  error unknown(std::string_view d) const {
    return make_error(errc::invalid_kustomization, fmt::format("{}: unknown patch strategy '{}'", origin, d));
  }

  // `string_map`: labels and annotations, where kustomize keeps a null from the patch as "null".
  // `path`: where `target` sits in the object ("" for the root, "spec/template/spec/containers[]").
  // Keys starting with "$" other than "$patch" ($retainKeys, $setElementOrder/...) are plain
  // fields to kyaml, which kustomize uses.
  // `top`: whether a field the target lacks is the top of what the patch adds (see add).
  result<void> merge_object(value& target, const value& patch, const std::string& path, bool string_map,
                            bool top = true) {
    for (const auto& m : patch.GetObject()) {
      std::string_view key = json::view(m.name);
      if (key == "$patch") continue;
      auto it = target.FindMember(m.name);
      if (m.value.IsNull() && string_map && nulls_as_text) {
        if (it != target.MemberEnd()) it->value.SetString("null", a);
        else target.AddMember(value(m.name, a), value("null", a), a);
        continue;
      }
      if (m.value.IsNull() || directive(m.value) == "delete") {
        if (it != target.MemberEnd()) target.RemoveMember(it);
        continue;
      }
      std::string inner = path.empty() ? std::string(key) : path + "/" + std::string(key);
      if (it == target.MemberEnd()) {
        value fresh;
        auto keep = add(fresh, m.value, inner, top);
        if (!keep) return keep.error();
        if (*keep) target.AddMember(value(m.name, a), fresh, a);
        continue;
      }
      auto keep = merge_value(it->value, m.value, key, inner);
      if (!keep) return keep.error();
      if (!*keep) target.RemoveMember(it);
    }
    return {};
  }

  // What a patch adds where the target has nothing: kyaml takes the patch's subtree, then merges
  // it with itself, so its directives still act below (a `$patch: delete` map is left out, a list
  // drops its deleted elements). At the top an unknown `$patch` stays a plain field; below it is
  // refused. False: nothing is added.
  result<bool> add(value& out, const value& patch, const std::string& path, bool top = true) {
    if (patch.IsObject()) {
      auto d = directive(patch);
      if (d == "delete") return false;
      bool known = !d || d == "replace" || d == "merge";
      if (!known && !top) return unknown(*d);
      out.SetObject();
      // A null below is dropped here, even in labels (kyaml clears it when the map meets itself).
      if (auto r = merge_object(out, patch, path, false, false); !r) return r.error();
      if (!known) out.AddMember("$patch", value(patch.FindMember("$patch")->value, a), a);
      return true;
    }
    if (patch.IsArray()) {
      out.SetArray();
      return merge_list(out, patch, path, top ? list_mode::added_top : list_mode::added_below);
    }
    out.CopyFrom(patch, a);
    return true;
  }

  // False: the field goes (a list's `$patch: delete`).
  result<bool> merge_value(value& target, const value& patch, std::string_view key, const std::string& path) {
    if (patch.IsObject() && target.IsObject()) {
      auto d = directive(patch);
      if (d == "replace") return add(target, patch, path);
      if (d && d != "merge") return unknown(*d);
      if (auto r = merge_object(target, patch, path, key == "labels" || key == "annotations"); !r) return r.error();
      return true;
    }
    if (patch.IsArray() && target.IsArray()) return merge_list(target, patch, path);
    return add(target, patch, path);
  }

  // How a list meets its patch: merged into the target's list, or added where the target has none
  // (kyaml then merges the patch's list with itself; at the top of an added subtree without
  // reading the list's own `$patch`, below it after reading it).
  enum class list_mode { merge, added_top, added_below };

  // kyaml's list-level `$patch`: the first element holding "$patch", when that is its only key.
  result<bool> merge_list(value& target, const value& patch, const std::string& path,
                          list_mode mode = list_mode::merge) {
    auto found = rule_at(path);
    if (!found) return found.error();
    auto& rule = *found;
    if (!rule) {  // not associative: the patch's list as it is, directives and all
      target.CopyFrom(patch, a);
      return true;
    }
    value elided(rapidjson::kArrayType);
    const value* list = &patch;
    bool self = mode != list_mode::merge;
    for (const auto& item : patch.GetArray()) {
      if (mode == list_mode::added_top) break;
      if (!item.IsObject() || !item.HasMember("$patch")) continue;
      auto d = directive(item);
      if (item.MemberCount() != 1 || !d) break;
      if (*d != "delete" && *d != "replace" && *d != "merge") return unknown(*d);
      if (*d == "delete") return false;
      // The directive goes from every element that has it, and empty elements go too.
      for (const auto& other : patch.GetArray()) {
        if (other.IsNull() || (other.IsObject() && other.MemberCount() == 0)) continue;
        if (other.IsObject() && directive(other) == d) continue;
        elided.PushBack(value(other, a), a);
      }
      self = self || *d == "replace";  // the patch's list becomes the target, merged with itself
      list = &elided;
      break;
    }
    if (self) target.CopyFrom(*list, a);
    if (rule->scalar_set) return merge_set(target, self ? value(rapidjson::kArrayType) : value(*list, a));
    std::vector<std::string_view> keys{rule->key};
    if (!rule->second_key.empty()) keys.push_back(rule->second_key);
    bool below = mode != list_mode::merge || self;
    keyed_list_ops ops{[&](value& t, const value& p) { return merge_object(t, p, path + "[]", false); },
                       [&](value& out, const value& p) -> result<void> {
                         auto r = add(out, p, path + "[]", !below);
                         if (!r) return r.error();
                         return {};
                       },
                       [&](std::string_view d) { return unknown(d); }, mode == list_mode::added_below};
    std::size_t elements = target.Size() + (self ? 0 : list->Size());
    if (elements > max_keyed_list)
      return make_error(errc::limit_exceeded, fmt::format("{}: {}: a list of {} elements is more than gitopsd merges "
                                                          "by its keys ({})", origin, path, elements, max_keyed_list));
    auto r = self ? merge_list_with_itself(target, keys, a, ops) : merge_keyed_list(target, *list, keys, a, ops);
    if (!r) return r.error();
    return true;
  }

  // Patch strategy "merge" on scalars (finalizers): each value once, the patch's first.
  result<bool> merge_set(value& target, value patch) {
    value merged(rapidjson::kArrayType);
    auto put = [&](value& item) {
      if (std::none_of(merged.Begin(), merged.End(), [&](const value& m) { return m == item; }))
        merged.PushBack(item, a);
    };
    for (auto& item : patch.GetArray()) put(item);
    for (auto& item : target.GetArray()) put(item);
    target.Swap(merged);
    return true;
  }
};

// JSON pointer segments (RFC 6901).
result<std::vector<std::string>> pointer(std::string_view path, const std::string& origin) {
  std::vector<std::string> out;
  if (path.empty()) return out;
  if (path.front() != '/')
    return make_error(errc::invalid_kustomization, fmt::format("{}: JSON patch path \"{}\" must start with /", origin, path));
  std::string seg;
  for (std::size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      out.push_back(seg);
      seg.clear();
    } else if (path[i] == '~' && i + 1 < path.size() && (path[i + 1] == '0' || path[i + 1] == '1')) {
      seg += path[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      seg += path[i];
    }
  }
  return out;
}

// kustomize's JSON patch library (evanphx/json-patch v4) reads an index as Go's Atoi does (a sign and
// leading zeros allowed) and counts a negative one from the end; `add` may also name the end itself.
std::optional<rapidjson::SizeType> array_index(const std::string& s, rapidjson::SizeType size, bool allow_end) {
  if (s == "-" && allow_end) return size;
  std::size_t start = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (s.size() == start || s.size() - start > 12) return std::nullopt;
  for (std::size_t i = start; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  long long i = std::stoll(s.substr(start));
  long long n = static_cast<long long>(size) + (allow_end ? 1 : 0);
  if (s[0] == '-' && i > 0) i = n - i;
  if (i < 0 || i >= n) return std::nullopt;
  return static_cast<rapidjson::SizeType>(i);
}

struct patcher {
  value& root;
  alloc_t& a;
  const std::string& origin;

  error fail(std::string_view op, std::string_view path, std::string_view why) const {
    return make_error(errc::invalid_kustomization, fmt::format("{}: JSON patch {} {}: {}", origin, op, path, why));
  }

  // The parent container of the pointer's last segment.
  result<value*> parent(const std::vector<std::string>& segs, std::string_view op, std::string_view path) {
    value* cur = &root;
    for (std::size_t i = 0; i + 1 < segs.size(); ++i) {
      if (cur->IsObject()) {
        auto it = cur->FindMember(rapidjson::StringRef(segs[i].data(), segs[i].size()));
        if (it == cur->MemberEnd()) return fail(op, path, "path does not exist");
        cur = &it->value;
      } else if (cur->IsArray()) {
        auto idx = array_index(segs[i], cur->Size(), false);
        if (!idx) return fail(op, path, "bad array index");
        cur = &(*cur)[*idx];
      } else {
        return fail(op, path, "path does not exist");
      }
    }
    return cur;
  }

  // Whether the pointer's last segment is a key missing from a map that exists.
  bool missing_key(std::string_view path) {
    auto segs = pointer(path, origin);
    if (!segs || segs->empty()) return false;
    auto p = parent(*segs, "", path);
    if (!p || !(*p)->IsObject()) return false;
    const std::string& last = segs->back();
    return !(*p)->HasMember(rapidjson::StringRef(last.data(), last.size()));
  }

  result<value*> get(std::string_view path, std::string_view op) {
    auto segs = pointer(path, origin);
    if (!segs) return segs.error();
    if (segs->empty()) return &root;
    auto p = parent(*segs, op, path);
    if (!p) return p.error();
    value* c = *p;
    const std::string& last = segs->back();
    if (c->IsObject()) {
      auto it = c->FindMember(rapidjson::StringRef(last.data(), last.size()));
      if (it == c->MemberEnd()) return fail(op, path, "path does not exist");
      return &it->value;
    }
    if (c->IsArray()) {
      auto idx = array_index(last, c->Size(), false);
      if (!idx) return fail(op, path, "bad array index");
      return &(*c)[*idx];
    }
    return fail(op, path, "path does not exist");
  }

  result<void> add(std::string_view path, value v, std::string_view op) {
    auto segs = pointer(path, origin);
    if (!segs) return segs.error();
    if (segs->empty()) {
      root.Swap(v);
      return {};
    }
    auto p = parent(*segs, op, path);
    if (!p) return p.error();
    value* c = *p;
    const std::string& last = segs->back();
    if (c->IsObject()) {
      auto it = c->FindMember(rapidjson::StringRef(last.data(), last.size()));
      if (it != c->MemberEnd()) it->value = v;
      else c->AddMember(value(last.c_str(), a), v, a);
      return {};
    }
    if (c->IsArray()) {
      auto idx = array_index(last, c->Size(), true);
      if (!idx) return fail(op, path, "bad array index");
      c->PushBack(value(), a);
      for (auto i = c->Size() - 1; i > *idx; --i) (*c)[i].Swap((*c)[i - 1]);
      (*c)[*idx] = v;
      return {};
    }
    return fail(op, path, "path does not exist");
  }

  result<value> remove(std::string_view path, std::string_view op) {
    auto segs = pointer(path, origin);
    if (!segs) return segs.error();
    if (segs->empty()) return fail(op, path, "cannot remove the whole object");
    auto p = parent(*segs, op, path);
    if (!p) return p.error();
    value* c = *p;
    const std::string& last = segs->back();
    value out;
    if (c->IsObject()) {
      auto it = c->FindMember(rapidjson::StringRef(last.data(), last.size()));
      if (it == c->MemberEnd()) return fail(op, path, "path does not exist");
      out.Swap(it->value);
      c->RemoveMember(it);
      return out;
    }
    if (c->IsArray()) {
      auto idx = array_index(last, c->Size(), false);
      if (!idx) return fail(op, path, "bad array index");
      out.Swap((*c)[*idx]);
      c->Erase(c->Begin() + *idx);
      return out;
    }
    return fail(op, path, "path does not exist");
  }
};

std::string anchored(const std::string& re) { return "^(?:" + re + ")$"; }

// `key in (a,b)` / `key notin (a)`: the key has no space, '!' or '='.
struct set_term {
  std::string key;
  bool in = true;
  std::string list;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::optional<set_term> parse_set_term(std::string_view t) {
  std::size_t i = 0;
  while (i < t.size() && !is_space(t[i])) ++i;
  std::string_view key = t.substr(0, i);
  if (key.empty() || key.find_first_of("!=") != std::string_view::npos) return std::nullopt;
  std::size_t j = i;
  while (j < t.size() && is_space(t[j])) ++j;
  if (j == i) return std::nullopt;
  std::string_view rest = t.substr(j);
  set_term out{std::string(key), true, {}};
  if (rest.starts_with("notin")) out.in = false, rest.remove_prefix(5);
  else if (rest.starts_with("in")) rest.remove_prefix(2);
  else return std::nullopt;
  std::size_t k = 0;
  while (k < rest.size() && is_space(rest[k])) ++k;
  if (k == 0) return std::nullopt;
  rest.remove_prefix(k);
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  if (rest.find(')') != std::string_view::npos) return std::nullopt;
  out.list = std::string(rest);
  return out;
}

// Go's regexp (RE2 syntax, linear time): patterns come from the repository.
std::unique_ptr<RE2> compile(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) return nullptr;
  return re;
}

// Kubernetes label selector syntax: k=v, k==v, k!=v, k in (a,b), k notin (a), k, !k.
result<bool> selector_matches(std::string_view sel, const value* labels, const std::string& origin) {
  auto get = [&](const std::string& k) -> std::optional<std::string> {
    if (labels == nullptr || !labels->IsObject()) return std::nullopt;
    auto s = json::get_string(*labels, k);
    return s ? std::optional<std::string>(std::string(*s)) : std::nullopt;
  };
  auto trim = [](std::string s) {
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  };
  // Split on commas outside parentheses.
  std::vector<std::string> terms;
  std::string cur;
  int depth = 0;
  for (char c : sel) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      terms.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty()) terms.push_back(trim(cur));
  for (const auto& t : terms) {
    if (auto set = parse_set_term(t)) {
      std::vector<std::string> values;
      std::string item;
      for (char c : set->list + ",") {
        if (c == ',') values.push_back(trim(item)), item.clear();
        else item += c;
      }
      auto v = get(set->key);
      bool in = v && std::find(values.begin(), values.end(), *v) != values.end();
      if (set->in != in) return false;
      continue;
    }
    if (auto ne = t.find("!="); ne != std::string::npos) {
      auto v = get(trim(t.substr(0, ne)));
      if (v && *v == trim(t.substr(ne + 2))) return false;
      continue;
    }
    if (auto eq = t.find('='); eq != std::string::npos) {
      std::size_t vstart = eq + 1 < t.size() && t[eq + 1] == '=' ? eq + 2 : eq + 1;
      auto v = get(trim(t.substr(0, eq)));
      if (!v || *v != trim(t.substr(vstart))) return false;
      continue;
    }
    if (!t.empty() && t[0] == '!') {
      if (get(trim(t.substr(1)))) return false;
      continue;
    }
    if (t.empty() || t.find_first_of("()") != std::string::npos)
      return make_error(errc::invalid_kustomization, fmt::format("{}: invalid selector \"{}\"", origin, sel));
    if (!get(t)) return false;
  }
  return true;
}

}  // namespace

result<bool> strategic_merge(value& target, const value& patch, alloc_t& a, const std::string& origin,
                             bool nulls_as_text) {
  if (!patch.IsObject()) return make_error(errc::invalid_kustomization, fmt::format("{}: a patch must be a map", origin));
  openapi_state* schema = current_openapi();
  // kyaml loads its schema for every strategic merge, a deleting one too (a bad custom schema fails here).
  if (schema != nullptr)
    if (auto r = schema->load(); !r) return r.error();
  auto d = directive(patch);
  if (d == "delete") return false;
  auto api = json::get_string(target, "apiVersion");
  merger m{a, origin, gvk::of(target), std::string(api.value_or("")), schema, nulls_as_text};
  // kustomize v5 leaves the target as it is for a whole-object `$patch: replace` (checked against
  // kustomize build in the corpus case top-level-replace).
  if (d == "replace") return true;
  if (d && d != "merge") return m.unknown(*d);
  auto r = m.merge_object(target, patch, "", false);
  if (!r) return r.error();
  return true;
}

result<void> json_patch(value& target, const value& ops, alloc_t& a, const std::string& origin, const limits& lim) {
  if (!ops.IsArray())
    return make_error(errc::invalid_kustomization, fmt::format("{}: a JSON patch must be a list of operations", origin));
  patcher p{target, a, origin};
  // What the object may grow to: every value added is counted (removals are not subtracted), so
  // the check costs the size of what is added, not of the whole object per operation.
  std::size_t bytes = json::measure(target).bytes;
  auto grow = [&](const value& added, std::string_view path, std::string_view op) -> result<void> {
    auto e = json::measure(added);
    bytes += e.bytes;
    if (bytes > lim.max_bytes)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: {} {}: the patched object would exceed {} bytes (limit max-yaml-text-bytes)",
                                    origin, op, path, lim.max_bytes));
    std::size_t levels = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    if (levels + e.depth > lim.max_depth)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: {} {}: the patched object would nest deeper than {} (limit max-yaml-depth)",
                                    origin, op, path, lim.max_depth));
    return {};
  };
  for (const auto& op : ops.GetArray()) {
    auto name = json::get_string(op, "op");
    auto path = json::get_string(op, "path");
    if (!name || !path)
      return make_error(errc::invalid_kustomization, fmt::format("{}: a JSON patch operation needs op and path", origin));
    const value* v = json::find(op, "value");
    if (*name == "add" || *name == "replace") {
      if (v == nullptr) return p.fail(*name, *path, "missing value");
      if (auto g = grow(*v, *path, *name); !g) return g;
      // The library's replace sets a missing last key of an existing map as add does.
      if (*name == "replace" && !p.missing_key(*path)) {
        auto existing = p.get(*path, *name);
        if (!existing) return existing.error();
        (*existing)->CopyFrom(*v, a);
        continue;
      }
      auto r = p.add(*path, value(*v, a), *name);
      if (!r) return r;
    } else if (*name == "remove") {
      auto r = p.remove(*path, *name);
      if (!r) return r.error();
    } else if (*name == "move" || *name == "copy") {
      auto from = json::get_string(op, "from");
      if (!from) return p.fail(*name, *path, "missing from");
      value moved;
      if (*name == "move") {
        auto r = p.remove(*from, *name);
        if (!r) return r.error();
        moved = std::move(*r);
      } else {
        auto r = p.get(*from, *name);
        if (!r) return r.error();
        if (auto g = grow(**r, *path, *name); !g) return g;
        moved.CopyFrom(**r, a);
      }
      auto r = p.add(*path, std::move(moved), *name);
      if (!r) return r;
    } else if (*name == "test") {
      // The library finds a missing map key equal to a null or absent value.
      if (p.missing_key(*path) && (v == nullptr || v->IsNull())) continue;
      auto r = p.get(*path, *name);
      if (!r) return r.error();
      if (v == nullptr || **r != *v) return p.fail(*name, *path, "test failed");
    } else {
      return p.fail(*name, *path, "unknown operation");
    }
  }
  return {};
}

result<bool> matches(const resource& r, const selector& s, const std::string& origin) {
  // Called for every object of a build: a large pattern or selector is slow against long names.
  detail::guard_time(origin);
  res_id cur = r.cur(), org = r.org();
  auto bad = [&](const std::string& re) {
    return make_error(errc::invalid_kustomization, fmt::format("{}: invalid regular expression \"{}\" in target", origin, re));
  };
  if (!s.ns.empty()) {
    auto ns = compile(anchored(s.ns));
    if (!ns) return bad(s.ns);
    if (!RE2::PartialMatch(org.effective_ns(), *ns) && !RE2::PartialMatch(cur.effective_ns(), *ns)) return false;
  }
  if (!s.name.empty()) {
    auto nm = compile(anchored(s.name));
    if (!nm) return bad(s.name);
    if (!RE2::PartialMatch(org.name, *nm) && !RE2::PartialMatch(cur.name, *nm)) return false;
  }
  if (!gvk::of(r.obj).selected_by(s.type)) return false;
  if (!s.label_selector.empty()) {
    auto ok = selector_matches(s.label_selector, json::find(r.obj, "metadata", "labels"), origin);
    if (!ok || !*ok) return ok;
  }
  if (!s.annotation_selector.empty()) {
    auto ok = selector_matches(s.annotation_selector, json::find(r.obj, "metadata", "annotations"), origin);
    if (!ok || !*ok) return ok;
  }
  return true;
}

}  // namespace gitopsd::render::kustomize
