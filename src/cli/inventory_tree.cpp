#include "gitopsd/cli/inventory_tree.hpp"

#include "gitopsd/cli/table.hpp"
#include "gitopsd/core/json.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace gitopsd::cli {
namespace {

// namespace -> "Kind" or "Kind.group" -> items; std::map keeps them sorted ("" first).
using grouped = std::map<std::string, std::map<std::string, std::vector<tree_item>>>;

std::string kind_label(const group_version_kind& gvk) { return gvk.group.empty() ? gvk.kind : gvk.kind + "." + gvk.group; }

grouped group(std::vector<tree_item> items) {
  std::sort(items.begin(), items.end(), [](const tree_item& a, const tree_item& b) {
    return std::tie(a.ref.namespace_, a.ref.gvk.kind, a.ref.name) < std::tie(b.ref.namespace_, b.ref.gvk.kind, b.ref.name);
  });
  grouped g;
  for (auto& item : items) g[item.ref.namespace_][kind_label(item.ref.gvk)].push_back(std::move(item));
  return g;
}

}  // namespace

std::string render_tree(const std::string& root, std::vector<tree_item> items, const health_painter& paint) {
  std::string out = one_line(root) + "\n";
  auto g = group(std::move(items));
  std::size_t ns_left = g.size();
  for (const auto& [ns, kinds] : g) {
    bool ns_last = --ns_left == 0;
    out += (ns_last ? "└── " : "├── ") + (ns.empty() ? std::string("(cluster)") : one_line(ns)) + "\n";
    std::string ns_pad = ns_last ? "    " : "│   ";
    std::size_t kinds_left = kinds.size();
    for (const auto& [kind, objects] : kinds) {
      bool kind_last = --kinds_left == 0;
      out += ns_pad + (kind_last ? "└── " : "├── ") + one_line(kind) + "\n";
      std::string kind_pad = ns_pad + (kind_last ? "    " : "│   ");
      for (std::size_t i = 0; i < objects.size(); ++i) {
        const auto& o = objects[i];
        std::string health = paint ? paint(o.health) : o.health;
        out += kind_pad + (i + 1 == objects.size() ? "└── " : "├── ") + one_line(o.ref.name) + "  " + health;
        if (!o.message.empty()) out += " (" + one_line(o.message, 120) + ")";
        out += "\n";
      }
    }
  }
  return out;
}

rapidjson::Document tree_json(const std::string& owner, std::vector<tree_item> items) {
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  json::set_string(out, "gitRepository", owner, a);
  rapidjson::Value namespaces(rapidjson::kArrayType);
  for (const auto& [ns, kinds] : group(std::move(items))) {
    rapidjson::Value n(rapidjson::kObjectType);
    json::set_string(n, "name", ns, a);
    rapidjson::Value kind_list(rapidjson::kArrayType);
    for (const auto& [label, objects] : kinds) {
      rapidjson::Value k(rapidjson::kObjectType);
      json::set_string(k, "kind", objects.front().ref.gvk.kind, a);
      json::set_string(k, "group", objects.front().ref.gvk.group, a);
      rapidjson::Value list(rapidjson::kArrayType);
      for (const auto& o : objects) {
        rapidjson::Value item(rapidjson::kObjectType);
        json::set_string(item, "name", o.ref.name, a);
        json::set_string(item, "health", o.health, a);
        json::set_string(item, "message", o.message, a);
        list.PushBack(item, a);
      }
      k.AddMember("objects", list, a);
      kind_list.PushBack(k, a);
    }
    n.AddMember("kinds", kind_list, a);
    namespaces.PushBack(n, a);
  }
  out.AddMember("namespaces", namespaces, a);
  return out;
}

}  // namespace gitopsd::cli
