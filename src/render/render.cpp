#include "gitopsd/render/render.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"
#include "growth_guard.hpp"

#include <fmt/format.h>

namespace gitopsd::render {
namespace {

// Flux takes a file by its extension alone (Go's filepath.Ext): ".yaml" and ".yml", not ".json".
bool is_manifest_file(std::string_view name) {
  auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return false;
  auto ext = name.substr(dot);
  return ext == ".yaml" || ext == ".yml";
}

// Flux's kustomize-controller walk of a folder without a kustomization: names in byte order, a file
// or folder as it comes (depth first); a folder holding a kustomization is one entry and is not
// entered. Every file read must hold Kubernetes objects. Hidden folders are skipped.
result<void> walk(const file_tree& tree, const std::string& dir, const options& opts,
                  std::vector<kustomize::folder_entry>& out, std::size_t& objects, std::size_t depth) {
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
      auto file = kustomize::find_kustomization(tree, path);
      if (!file) return file.error();
      if (*file) {
        out.push_back({path, true, {}});
        continue;
      }
      if (kustomize::is_helm_chart(tree, path)) return kustomize::helm_chart_error(path);
      auto r = walk(tree, path, opts, out, objects, depth + 1);
      if (!r) return r;
      continue;
    }
    if (!is_manifest_file(e.name)) continue;
    if (auto going = check_time(opts, path); !going) return going;
    auto text = tree.read(path);
    if (!text) return make_error(errc::read_failed, text.error().what());
    auto read = read_manifests(*text, path, opts.yaml);
    if (!read) return read.error();
    objects += read->size();
    if (objects > opts.build.max_objects)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: more than {} objects (limit max-render-objects)", path, opts.build.max_objects));
    out.push_back({path, false, std::move(*read)});
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
  std::vector<kustomize::folder_entry> entries;
  std::size_t objects = 0;
  auto r = walk(tree, std::string(dir), opts, entries, objects, 0);
  if (!r) return r.error();
  return kustomize::build_generated(tree, dir, std::move(entries), opts);
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
  auto file = kustomize::find_kustomization(tree, *norm);
  if (!file) return file.error();
  if (*file) return kustomize::build(tree, *norm, opts);
  if (kustomize::is_helm_chart(tree, *norm)) return kustomize::helm_chart_error(path);
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
    // Objects take about twice their JSON size in memory; the rest is room for what transformers
    // leave behind as they replace values.
    detail::growth_scope growth(4 * opts.build.max_bytes, opts.build.max_bytes, opts);
    auto objects = render_objects(tree, path, opts);
    if (!objects) return objects;
    if (auto going = check_time(opts, path); !going) return going.error();
    if (auto ok = check_result(*objects, opts.build); !ok) return ok.error();
    return objects;
  } catch (const detail::budget_exceeded& e) {
    return e.reason;
  } catch (const std::exception& e) {
    return make_error(errc::limit_exceeded, fmt::format("rendering \"{}\" failed: {}", path, e.what()));
  }
}

}  // namespace gitopsd::render
