// kyaml's merge of a list with merge keys, as kustomize v5.8.1 runs it (prepend: the patch's
// elements come first). Elements are kept by identity: a target element merged in place stays the
// same element, which is what decides the final order.
#include "smp_list.hpp"

#include "go_float.hpp"

#include "gitopsd/core/json.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <set>
#include <string>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;
using strings = std::vector<std::string>;

// A node's text as kyaml compares it: a scalar's value, "" for null, maps and lists.
std::string text(const value& v) {
  if (v.IsString()) return std::string(json::view(v));
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) return go_float_g(v.GetDouble());
  return {};
}

bool empty_node(const value& v) { return v.IsNull() || (v.IsObject() && v.MemberCount() == 0); }

struct list_merge {
  std::deque<value> nodes;  // target elements first, then the ones the patch brings
  const value& patch;
  std::vector<std::string_view> keys;
  alloc_t& a;
  const keyed_list_ops& ops;
  bool self = false;  // the patch is the target's own list (see merge_list_with_itself)

  // ElementValuesList: each key's text, "" where missing or empty.
  strings values_of(const value& elem) const {
    strings out;
    for (auto k : keys) {
      const value* f = elem.IsObject() ? json::find(elem, k) : nullptr;
      out.push_back(f == nullptr ? std::string() : text(*f));
    }
    return out;
  }

  // validateKeys: the keys some element of `list` has a value for (all when none has).
  using keyed = std::pair<std::vector<std::string_view>, strings>;
  static keyed valid(const std::vector<strings>& list, const strings& values,
                     const std::vector<std::string_view>& keys) {
    std::vector<bool> has(keys.size(), false);
    bool any = false;
    for (const auto& vs : list)
      for (std::size_t i = 0; i < vs.size(); ++i)
        if (!vs[i].empty()) has[i] = any = true;
    if (!any) return {keys, values};
    keyed out;
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (has[i]) out.first.push_back(keys[i]), out.second.push_back(values[i]);
    return out;
  }

  // ElementMatcher: the first map whose keys have exactly these values.
  static const value* find_in(const value& list, const std::vector<std::string_view>& ks, const strings& vs) {
    for (const auto& e : list.GetArray()) {
      if (!e.IsObject()) continue;
      bool all = true;
      for (std::size_t i = 0; i < ks.size() && all; ++i) {
        const value* f = json::find(e, ks[i]);
        all = f != nullptr && text(*f) == vs[i];
      }
      if (all) return &e;
    }
    return nullptr;
  }

  // ElementSetter: drops empty elements; replaces (or, with no `elem`, removes) every map whose
  // keys match (an empty value: the key is present; a key past the values: as the one before);
  // appends `elem` when none matched.
  void set(std::vector<std::size_t>& list, std::optional<std::size_t> elem, const std::vector<std::string_view>& ks,
           const strings& vs) const {
    bool mapping_setter = !ks.empty() && !ks[0].empty() && !vs.empty() && !vs[0].empty();
    std::vector<std::size_t> out;
    bool found_any = false;
    for (std::size_t id : list) {
      const value& e = nodes[id];
      if (empty_node(e)) continue;
      if (!e.IsObject() && mapping_setter) {
        out.push_back(id);
        continue;
      }
      bool found = e.IsObject();
      const value* last = nullptr;
      for (std::size_t j = 0; j < ks.size() && found; ++j) {
        if (j < vs.size()) {
          last = json::find(e, ks[j]);
          if (last != nullptr && !vs[j].empty() && text(*last) != vs[j]) last = nullptr;
        }
        found = last != nullptr;
      }
      if (!found) {
        if (!vs.empty()) out.push_back(id);
        continue;
      }
      found_any = true;
      if (elem) out.push_back(*elem);
    }
    list = std::move(out);
    if (elem && !found_any) list.push_back(*elem);
  }

  result<void> run(value& target) {
    std::size_t n_target = target.Size();
    for (auto& e : target.GetArray()) nodes.emplace_back().Swap(e);
    std::vector<strings> all;  // elementValues: the patch's elements, then the target's
    std::set<strings> seen;
    auto collect = [&](const value& e) {
      strings vs = values_of(e);
      if (seen.insert(vs).second) all.push_back(std::move(vs));
    };
    if (!self)
      for (const auto& e : patch.GetArray()) collect(e);
    for (std::size_t i = 0; i < n_target; ++i) collect(nodes[i]);
    if (keys.size() > 1) merge_values(all);
    std::vector<std::size_t> dest(n_target), items;
    for (std::size_t i = 0; i < n_target; ++i) dest[i] = i;
    std::vector<std::string_view> valid_keys;
    for (const auto& vs : all) {
      auto [vk, vv] = valid(all, vs, keys);
      valid_keys = vk;
      auto [ek, ev] = valid({vv}, vv, vk);
      std::optional<std::size_t> d;
      for (std::size_t id : dest) {
        if (nodes[id].IsObject() && find_one(nodes[id], ek, ev)) {
          d = id;
          break;
        }
      }
      auto val = self ? walk_self(d) : walk(d, find_in(patch, ek, ev));
      if (!val) return val.error();
      if (!*val) {
        set(dest, std::nullopt, vk, vv);
        continue;
      }
      set(items, **val, vk, vv);
    }
    if (!all.empty()) append_list(items, dest, valid_keys);
    else items = dest;
    value out(rapidjson::kArrayType);
    std::vector<bool> used(nodes.size(), false);
    for (std::size_t id : items) {
      if (used[id]) out.PushBack(value(nodes[id], a), a);  // ElementSetter can repeat a node
      else out.PushBack(nodes[id].Move(), a), used[id] = true;
    }
    target.Swap(out);
    return {};
  }

  static bool find_one(const value& e, const std::vector<std::string_view>& ks, const strings& vs) {
    for (std::size_t i = 0; i < ks.size(); ++i) {
      const value* f = json::find(e, ks[i]);
      if (f == nullptr || text(*f) != vs[i]) return false;
    }
    return true;
  }

  // One element pair: added, kept, merged in place, replaced (a new node) or deleted (nothing).
  result<std::optional<std::size_t>> walk(std::optional<std::size_t> d, const value* p) {
    if (p == nullptr) return d;
    auto directive = p->IsObject() ? json::get_string(*p, "$patch") : std::nullopt;
    // An element the target lacks keeps an unknown `$patch` as a field (kyaml's add ignores it).
    if ((d || ops.added) && directive && directive != "delete" && directive != "replace" && directive != "merge")
      return ops.unknown(*directive);
    if (directive == "delete") return std::optional<std::size_t>();
    if (!d || directive == "replace") {
      nodes.emplace_back();
      if (auto r = ops.add(nodes.back(), *p); !r) return r.error();
      return std::optional<std::size_t>(nodes.size() - 1);
    }
    if (auto r = ops.merge(nodes[*d], *p); !r) return r.error();
    return d;
  }

  // An element met by itself: its directive acts on it, and below it as for an added subtree.
  result<std::optional<std::size_t>> walk_self(std::optional<std::size_t> d) {
    if (!d) return d;
    auto directive = nodes[*d].IsObject() ? json::get_string(nodes[*d], "$patch") : std::nullopt;
    if (directive && directive != "delete" && directive != "replace" && directive != "merge")
      return ops.unknown(*directive);
    if (directive == "delete") return std::optional<std::size_t>();
    value copy(nodes[*d], a);
    if (auto r = ops.add(nodes[*d], copy); !r) return r.error();
    return d;
  }

  // mergeValues: two value lists that agree where both have a value become one.
  static void merge_values(std::vector<strings>& list) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      strings first = list[i];
      for (std::size_t j = 0; j < list.size(); ++j) {
        const strings& second = list[j];
        bool common = false, clash = false;
        strings merged;
        for (std::size_t k = 0; k < first.size() && !clash; ++k) {
          if (first[k] == second[k]) common = true, merged.push_back(first[k]);
          else if (!first[k].empty() && !second[k].empty()) clash = true;
          else merged.push_back(first[k].empty() ? second[k] : first[k]);
        }
        if (clash || !common) continue;
        list[i] = merged;
        list[j] = merged;
      }
    }
  }

  // appendListNode: each target element goes back (last), replacing what matches it; a key it
  // lacks appends it once more first.
  void append_list(std::vector<std::size_t>& dst, const std::vector<std::size_t>& src,
                   const std::vector<std::string_view>& ks) const {
    for (std::size_t id : src) {
      strings vs;
      for (auto k : ks) {
        const value* f = nodes[id].IsObject() ? json::find(nodes[id], k) : nullptr;
        if (f == nullptr) dst.push_back(id);
        else vs.push_back(text(*f));
      }
      if (ks.size() > 1) set(dst, std::nullopt, ks, vs);
      set(dst, id, ks, vs);
    }
  }
};

}  // namespace

result<void> merge_keyed_list(value& target, const value& patch, const std::vector<std::string_view>& keys, alloc_t& a,
                              const keyed_list_ops& ops) {
  list_merge m{{}, patch, keys, a, ops};
  return m.run(target);
}

result<void> merge_list_with_itself(value& list, const std::vector<std::string_view>& keys, alloc_t& a,
                                    const keyed_list_ops& ops) {
  list_merge m{{}, list, keys, a, ops, true};
  return m.run(list);
}

}  // namespace gitopsd::render::kustomize
