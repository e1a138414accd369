#include "gitopsd/render/render.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
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

result<void> walk(const file_tree& tree, const std::string& dir, const options& opts, std::vector<manifest>& out,
                  std::size_t depth) {
  if (depth > opts.build.max_folder_depth)
    return make_error(errc::limit_exceeded, fmt::format("{}: folders nested deeper than {} (limit max-folder-depth)", dir,
                                                        opts.build.max_folder_depth));
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
      auto r = walk(tree, path, opts, out, depth + 1);
      if (!r) return r;
      continue;
    }
    if (!is_manifest_file(e.name)) continue;
    if (auto going = check_time(opts, path); !going) return going;
    auto text = tree.read(path);
    if (!text) return make_error(errc::read_failed, text.error().what());
    auto objects = read_manifests(*text, path, opts.yaml);
    if (!objects) return objects.error();
    if (out.size() + objects->size() > opts.build.max_objects)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: more than {} objects (limit max-render-objects)", path, opts.build.max_objects));
    for (auto& m : *objects) out.push_back(std::move(m));
  }
  return {};
}

// The result as a whole: objects and their bytes, and fields the API server would refuse to read.
result<void> check_result(const std::vector<manifest>& objects, const budget& b) {
  if (objects.size() > b.max_objects)
    return make_error(errc::limit_exceeded,
                      fmt::format("the build yields more than {} objects (limit max-render-objects)", b.max_objects));
  std::size_t bytes = 0;
  for (const auto& m : objects) {
    bytes += json::measure(m.object).bytes;
    if (bytes > b.max_bytes)
      return make_error(errc::limit_exceeded, fmt::format("{}: the build yields more than {} bytes of objects (limit "
                                                          "max-render-bytes)", m.origin, b.max_bytes));
    if (auto ok = check_namespace(m.object, m.origin); !ok) return ok;
  }
  return {};
}

}  // namespace

result<void> check_time(const options& opts, std::string_view where) {
  if (opts.stop != nullptr && opts.stop->load(std::memory_order_relaxed))
    return make_error(errc::stopped, fmt::format("{}: rendering stopped: the reconcile's time (spec.timeout) ran out",
                                                 where.empty() ? "." : where));
  if (std::chrono::steady_clock::now() > opts.deadline)
    return make_error(errc::limit_exceeded,
                      fmt::format("{}: rendering took longer than {} s (limit max-render-seconds)", where.empty() ? "." : where,
                                  std::chrono::duration_cast<std::chrono::seconds>(opts.build.max_time).count()));
  return {};
}

result<std::vector<manifest>> render_plain(const file_tree& tree, std::string_view dir, const options& opts) {
  std::vector<manifest> out;
  auto r = walk(tree, std::string(dir), opts, out, 0);
  if (!r) return r.error();
  return out;
}

static result<std::vector<manifest>> render_objects(const file_tree& tree, std::string_view path, const options& opts) {
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

namespace gitopsd::render {

// Renders run on pool threads inside a reconcile: whatever a repository's content makes a library
// throw (std::bad_alloc, std::length_error, a library's own exception) fails this render alone.
result<std::vector<manifest>> render(const file_tree& tree, std::string_view path, const options& given) {
  options opts = given;
  opts.deadline = std::chrono::steady_clock::now() + given.build.max_time;
  try {
    auto objects = render_objects(tree, path, opts);
    if (!objects) return objects;
    if (auto going = check_time(opts, path); !going) return going.error();
    if (auto ok = check_result(*objects, opts.build); !ok) return ok.error();
    return objects;
  } catch (const std::exception& e) {
    return make_error(errc::limit_exceeded, fmt::format("rendering \"{}\" failed: {}", path, e.what()));
  }
}

}  // namespace gitopsd::render
