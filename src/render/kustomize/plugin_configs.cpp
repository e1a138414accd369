#include "plugin_configs.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

namespace gitopsd::render::kustomize {
namespace {

limits kustomize_rules(const limits& lim) {
  limits out = lim;
  out.rules = yaml_rules::kustomize;  // values as kustomize's kyaml reads them
  return out;
}

// Exec plugins and KRM functions run programs: gitopsd runs none.
result<void> check_builtin(const kustomization& k, std::string_view field, const plugin_config& c) {
  auto api = json::get_string(c.doc, "apiVersion").value_or("");
  const rapidjson::Value* annotations = json::find(c.doc, "metadata", "annotations");
  bool function = annotations != nullptr && annotations->IsObject() &&
                  (annotations->HasMember("config.kubernetes.io/function") ||
                   annotations->HasMember("config.k8s.io/function"));
  if (function || api != "builtin")
    return unsupported_error(k.file, fmt::format("{} entry {}: {} {} is a plugin (exec or KRM function), which "
                                                 "gitopsd does not run", field, c.entry, api, c.kind));
  return {};
}

plugin_config config_of(rapidjson::Document&& doc, const std::string& entry, std::string origin) {
  plugin_config c;
  c.kind = std::string(json::get_string(doc, "kind").value_or(""));
  c.doc = std::move(doc);
  c.entry = entry;
  c.origin = std::move(origin);
  return c;
}

void add_manifests(std::vector<plugin_config>& out, std::vector<manifest>&& objects, const std::string& entry) {
  for (auto& m : objects) out.push_back(config_of(std::move(m.object), entry, std::move(m.origin)));
}

result<void> add_path(const file_tree& tree, const kustomization& k, const std::string& entry, const limits& lim,
                      const build_folder_fn& build_folder, std::vector<plugin_config>& out) {
  std::string name = fmt::format("\"{}\"", entry);
  auto path = normalize_tree_path(join_path(k.dir, entry));
  if (!path) return kustomize_error(k.file, fmt::format("entry {}: {}", name, path.error().what()));
  auto type = tree.stat(*path);
  if (!type) return kustomize_error(k.file, fmt::format("entry {}: {}", name, type.error().what()));
  if (*type == tree_entry::kind::directory) {
    auto built = build_folder(*path);
    if (!built) return built.error();
    for (auto& r : *built) out.push_back(config_of(std::move(r.obj), name, std::move(r.origin)));
    return {};
  }
  auto in_root = file_in_root(k, entry, "plugin config");
  if (!in_root) return in_root.error();
  auto text = tree.read(*path);
  if (!text) return make_error(errc::read_failed, fmt::format("{}: entry {}: {}", k.file, name, text.error().what()));
  auto objects = read_manifests(*text, *path, kustomize_rules(lim));
  if (!objects) return objects.error();
  add_manifests(out, std::move(*objects), name);
  return {};
}

std::string id_of(const plugin_config& c) {
  return fmt::format("{}|{}|{}|{}", json::get_string(c.doc, "apiVersion").value_or(""), c.kind,
                     json::get_string(c.doc, "metadata", "namespace").value_or(""),
                     json::get_string(c.doc, "metadata", "name").value_or(""));
}

}  // namespace

bool is_inline_config(const std::string& entry, const limits& lim) {
  auto docs = decode_documents(entry, "entry", lim);
  return docs && !docs->empty() &&
         std::all_of(docs->begin(), docs->end(), [](const rapidjson::Document& d) { return d.IsObject(); });
}

result<std::vector<plugin_config>> load_plugin_configs(const file_tree& tree, const kustomization& k,
                                                       const std::vector<std::string>& entries,
                                                       std::string_view field, const limits& lim,
                                                       const build_folder_fn& build_folder) {
  std::vector<plugin_config> out;
  std::vector<const std::string*> paths;
  std::size_t index = 0;
  for (const auto& entry : entries) {
    std::size_t at = index++;
    if (!is_inline_config(entry, lim)) {
      if (is_remote(entry))
        return unsupported_error(k.file, fmt::format("{} entry \"{}\" is a remote resource, which gitopsd does not "
                                                     "fetch", field, entry));
      paths.push_back(&entry);
      continue;
    }
    auto objects = read_manifests(entry, fmt::format("{} {}[{}]", k.file, field, at), kustomize_rules(lim));
    if (!objects) return objects.error();
    add_manifests(out, std::move(*objects), fmt::format("[{}]", at));
  }
  // kustomize gathers the configs as resources: two with one identity are refused. Checked as
  // each entry is read, so that one file listed a thousand times is not read a thousand times.
  std::unordered_set<std::string> seen;
  std::size_t checked = 0;
  auto check_new = [&]() -> result<void> {
    for (; checked < out.size(); ++checked) {
      const auto& c = out[checked];
      if (auto r = check_builtin(k, field, c); !r) return r.error();
      if (!seen.insert(id_of(c)).second)
        return kustomize_error(k.file, fmt::format("{} entry {}: {} {} is configured twice", field, c.entry, c.kind,
                                                   json::get_string(c.doc, "metadata", "name").value_or("")));
    }
    return {};
  };
  if (auto r = check_new(); !r) return r.error();
  for (const auto* entry : paths) {
    if (auto r = add_path(tree, k, *entry, lim, build_folder, out); !r) return r.error();
    if (auto r = check_new(); !r) return r.error();
  }
  return out;
}

}  // namespace gitopsd::render::kustomize
