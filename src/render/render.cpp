#include "gitopsd/render/render.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include <fmt/format.h>

namespace gitopsd::render {
namespace {

bool is_manifest_file(std::string_view name) {
  for (std::string_view ext : {".yaml", ".yml", ".json"})
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return true;
  return false;
}

result<void> walk(const file_tree& tree, const std::string& dir, const options& opts, std::vector<manifest>& out) {
  auto entries = tree.list(dir);
  if (!entries) return make_error(errc::read_failed, entries.error().what());
  for (const auto& e : *entries) {
    std::string path = join_path(dir, e.name);
    auto type = e.type;
    if (type == tree_entry::kind::symlink) {
      // Links to files are read; linked folders are not walked (no cycles, no double reads).
      auto target = tree.stat(path);
      if (!target) return make_error(errc::read_failed, target.error().what());
      if (*target == tree_entry::kind::directory) continue;
      type = *target;
    }
    if (type == tree_entry::kind::directory) {
      if (e.name.starts_with('.')) continue;
      auto r = walk(tree, path, opts, out);
      if (!r) return r;
      continue;
    }
    if (!is_manifest_file(e.name)) continue;
    auto text = tree.read(path);
    if (!text) return make_error(errc::read_failed, text.error().what());
    auto objects = read_manifests(*text, path, opts.yaml);
    if (!objects) return objects.error();
    for (auto& m : *objects) out.push_back(std::move(m));
  }
  return {};
}

}  // namespace

result<std::vector<manifest>> render_plain(const file_tree& tree, std::string_view dir, const options& opts) {
  std::vector<manifest> out;
  auto r = walk(tree, std::string(dir), opts, out);
  if (!r) return r.error();
  return out;
}

result<std::vector<manifest>> render(const file_tree& tree, std::string_view path, const options& opts) {
  auto norm = normalize_tree_path(path);
  if (!norm) return make_error(errc::read_failed, norm.error().what());
  auto kind = tree.stat(*norm);
  if (!kind) return make_error(errc::read_failed, kind.error().what());
  if (*kind != tree_entry::kind::directory) {
    auto text = tree.read(*norm);
    if (!text) return make_error(errc::read_failed, text.error().what());
    return read_manifests(*text, *norm, opts.yaml);
  }
  if (auto file = kustomize::find_kustomization(tree, *norm)) return kustomize::build(tree, *norm, opts);
  return render_plain(tree, *norm, opts);
}

}  // namespace gitopsd::render
