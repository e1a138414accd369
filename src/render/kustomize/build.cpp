// The kustomize build: accumulate resources (files, nested kustomizations, components), run the
// generators, then the built-in transformers in kustomize v5's order; at the top level add the
// generated-name hashes, fix name references and sort.
#include "build_metadata.hpp"
#include "builtin_plugins.hpp"
#include "crds.hpp"
#include "generators.hpp"
#include "model.hpp"
#include "openapi_state.hpp"
#include "replacements.hpp"
#include "transforms.hpp"
#include "vars.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/kustomize.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace gitopsd::render::kustomize {

result<std::optional<std::string>> find_kustomization(const file_tree& tree, std::string_view dir) {
  std::optional<std::string> found;
  for (std::string_view name : {"kustomization.yaml", "kustomization.yml", "Kustomization"}) {
    std::string path = join_path(dir, name);
    auto kind = tree.stat(path);
    if (!kind || *kind == tree_entry::kind::directory) continue;
    if (found)
      return kustomize_error(dir.empty() ? "." : dir, fmt::format("several kustomization files ({} and {}); kustomize "
                                                                  "refuses a folder with more than one", *found, path));
    found = std::move(path);
  }
  return found;
}

bool is_helm_chart(const file_tree& tree, std::string_view dir) {
  auto kind = tree.stat(join_path(dir, "Chart.yaml"));
  return kind && *kind != tree_entry::kind::directory;
}

error helm_chart_error(std::string_view dir) {
  return make_error(errc::unsupported,
                    fmt::format("{} is a Helm chart, which gitopsd does not render", dir.empty() ? "." : dir));
}

namespace {

bool same_id(const res_id& x, const res_id& y) {
  return x.type == y.type && x.name == y.name && x.effective_ns() == y.effective_ns();
}

class builder {
 public:
  builder(const file_tree& tree, const options& opts) : tree_(tree), opts_(opts) {}

  // `tc` receives the configuration the kustomization built with (kustomize merges it upwards).
  result<resmap> build_dir(const std::string& dir, bool top, transformer_config& tc) {
    auto found = find_kustomization(tree_, dir);
    if (!found) return found.error();
    if (!*found) {
      if (is_helm_chart(tree_, dir)) return helm_chart_error(dir);
      return kustomize_error(dir.empty() ? "." : dir, "no kustomization.yaml, kustomization.yml or Kustomization here");
    }
    const std::string& file = **found;
    if (std::find(stack_.begin(), stack_.end(), dir) != stack_.end())
      return kustomize_error(file, "cycle: this kustomization includes itself");
    if (stack_.size() > 64) return kustomize_error(file, "kustomizations nested more than 64 deep");
    if (auto going = check_time(opts_, file); !going) return going.error();
    if (++builds_ > opts_.build.max_kustomizations)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: more than {} kustomizations built, bases counted each time they are included "
                                    "(limit max-kustomize-builds)", file, opts_.build.max_kustomizations));
    auto k = load_kustomization(tree_, dir, file, opts_);
    if (!k) return k.error();
    // kustomize v5.8.1 builds a Component at the top as it builds a Kustomization.
    if (top) top_ = *k;
    if (auto set = set_openapi(*k, top); !set) return set.error();
    stack_.push_back(dir);
    resmap ra;
    auto r = accumulate(*k, ra, tc);
    stack_.pop_back();
    if (!r) return r.error();
    // A broken custom schema the transformers met (kyaml panics there) fails the build.
    if (auto loaded = openapi_.status(); !loaded) return loaded.error();
    return ra;
  }

  // A folder without a kustomization, as Flux builds it: a kustomization listing its files (read
  // while walking) and the folders below it that hold a kustomization.
  result<resmap> build_generated(const std::string& dir, std::vector<folder_entry>&& entries, transformer_config& tc) {
    kustomization k;
    k.dir = dir;
    k.file = dir.empty() ? "." : dir;
    stack_.push_back(dir);
    // Gathered first and appended once: a folder of thousands of files stays linear.
    std::vector<resource> all;
    for (auto& e : entries) {
      if (e.folder) {
        auto found = find_kustomization(tree_, e.path);
        if (!found) return found.error();
        auto sub = load_kustomization(tree_, e.path, **found, opts_);
        if (!sub) return sub.error();
        if (sub->component)
          return kustomize_error(**found, "a Component cannot be a resource of a folder without a kustomization");
        transformer_config sub_tc;
        auto built = build_dir(e.path, false, sub_tc);
        if (!built) return built.error();
        if (auto merged = merge_config(tc, sub_tc); !merged) return merged.error().wrap(k.file);
        for (auto& r : *built) all.push_back(std::move(r));
        continue;
      }
      auto spent = spend(e.objects, e.path);
      if (!spent) return spent.error();
      for (auto& m : e.objects) {
        resource res;
        res.obj = std::move(m.object);
        res.origin = std::move(m.origin);
        res.written = std::move(m.written);
        all.push_back(std::move(res));
      }
    }
    resmap ra;
    auto added = append_all(ra, std::move(all), k.file);
    if (!added) return added.error();
    if (auto merged = merge_config(tc, builtin_config()); !merged) return merged.error().wrap(k.file);
    stack_.pop_back();
    return ra;
  }

  // The top level's last steps: generated names get their hash, references follow renamed
  // objects, and the result is sorted as kustomize sorts it.
  result<std::vector<manifest>> finish(resmap&& ra, const transformer_config& tc) {
    add_name_hashes(ra);
    bool renamed = std::any_of(ra.begin(), ra.end(), [](const resource& r) { return !r.prev.empty(); });
    // References only change when something was renamed (no earlier identity, no candidate).
    if (renamed) {
      auto fixed = fix_name_references(ra, tc.name_reference);
      if (!fixed) return fixed.error();
    }
    // kustomize resolves vars once, at the top, with every name final.
    std::size_t held = 0;
    for (const auto& r : ra) held += json::measure(r.obj).bytes;
    std::size_t room = opts_.build.max_bytes > held ? opts_.build.max_bytes - held : 0;
    if (auto r = resolve_vars(ra, std::move(vars_), tc.var_reference, room); !r) return r.error();
    if (!top_.fifo_order) legacy_sort(ra, top_.legacy_order ? &*top_.legacy_order : nullptr);
    drop_empty_annotations(ra);
    if (auto meta = apply_build_metadata(ra, top_); !meta) return meta.error();
    std::vector<manifest> out;
    out.reserve(ra.size());
    for (auto& r : ra) out.push_back({std::move(r.obj), std::move(r.origin), {}});
    return out;
  }

  // kustomize's order: resources (their configurations merge in), this kustomization's
  // configuration, generators, components (sharing the configuration), transformers.
  result<void> accumulate(const kustomization& k, resmap& ra, transformer_config& tc) {
    for (const auto& entry : k.resources) {
      auto r = add_resource(k, entry, ra, tc);
      if (!r) return r;
    }
    auto own = load_config(tree_, k, opts_.yaml);
    if (!own) return own.error();
    if (auto merged = merge_config(tc, *own); !merged) return merged.error().wrap(k.file);
    auto crds = load_crds_config(tree_, k, opts_.yaml);
    if (!crds) return crds.error();
    if (auto merged = merge_config(tc, *crds); !merged) return merged.error().wrap(k.file);
    for (const auto& g : k.config_maps) {
      auto r = add_generated(k, g, false, ra);
      if (!r) return r;
    }
    for (const auto& g : k.secrets) {
      auto r = add_generated(k, g, true, ra);
      if (!r) return r;
    }
    if (auto r = add_plugin_generators(k, ra); !r) return r;
    for (const auto& c : k.components) {
      auto r = add_component(k, c, ra, tc);
      if (!r) return r;
    }
    if (auto r = run_transformers(k, ra, tc); !r) return r;
    return attach_vars(ra, k.vars, vars_);
  }

  openapi_state& openapi() { return openapi_; }

 private:
  // kustomize reads `openapi.path` for every kustomization it reaches, then lets it set the schema
  // (openapi_state.hpp says when that counts).
  result<void> set_openapi(const kustomization& k, bool top) {
    std::optional<named_file> schema;
    if (k.openapi.path) {
      auto file = read_named_file(tree_, k, *k.openapi.path, "openapi path");
      if (!file) return file.error();
      schema = std::move(*file);
    }
    return openapi_.set(k, schema, top, opts_.yaml);
  }

  static std::string id_key(const res_id& id) {
    return id.type.group + '|' + id.type.version + '|' + id.type.kind + '|' + id.effective_ns() + '|' + id.name;
  }

  // Appends, refusing an identity that is already there (a set keeps big trees linear).
  result<void> append_all(resmap& ra, std::vector<resource>&& more, const std::string& where) {
    if (ra.size() + more.size() > opts_.build.max_objects)
      return make_error(errc::limit_exceeded, fmt::format("{}: more than {} objects (limit max-render-objects)", where,
                                                          opts_.build.max_objects));
    std::unordered_map<std::string, std::size_t> seen;
    seen.reserve(ra.size() + more.size());
    for (std::size_t i = 0; i < ra.size(); ++i) seen.emplace(id_key(ra[i].cur()), i);
    // kyaml asks its schema for the scope of each object it takes in, and of every object already
    // there (it compares their ids): a custom schema set since then loads at the first other type.
    auto probe = [&](const resource& res) {
      return openapi_.probe_type(json::get_string(res.obj, "apiVersion").value_or(""),
                                 json::get_string(res.obj, "kind").value_or(""));
    };
    if (!more.empty() && openapi_.waiting())
      for (const auto& res : ra)
        if (auto p = probe(res); !p) return p;
    for (auto& res : more) {
      if (auto p = probe(res); !p) return p;
      auto [it, fresh] = seen.emplace(id_key(res.cur()), ra.size());
      if (!fresh)
        return make_error(errc::conflict, fmt::format("{}: {} is already defined (by {})", where, res.describe(),
                                                      ra[it->second].origin));
      ra.push_back(std::move(res));
    }
    return {};
  }

  result<void> add_resource(const kustomization& k, const std::string& entry, resmap& ra, transformer_config& tc) {
    if (is_remote(entry))
      return unsupported_error(k.file, fmt::format("remote resource \"{}\" is not supported by gitopsd", entry));
    auto path = normalize_tree_path(join_path(k.dir, entry));
    if (!path) return kustomize_error(k.file, fmt::format("resource \"{}\": {}", entry, path.error().what()));
    auto kind = tree_.stat(*path);
    if (!kind) return kustomize_error(k.file, fmt::format("resource \"{}\": {}", entry, kind.error().what()));
    if (*kind == tree_entry::kind::directory) return add_folder(k, entry, *path, ra, tc);
    auto in_root = file_in_root(k, entry, "resource");
    if (!in_root) return in_root.error();
    auto text = tree_.read(*path);
    if (!text) return make_error(errc::read_failed, text.error().what());
    limits as_kustomize = opts_.yaml;
    as_kustomize.rules = yaml_rules::kustomize;  // values as kustomize's kyaml reads them
    auto objects = read_manifests(*text, *path, as_kustomize);
    if (!objects) return objects.error();
    return add_objects(k, std::move(*objects), *path, ra);
  }

  result<void> add_folder(const kustomization& k, const std::string& entry, const std::string& path, resmap& ra,
                          transformer_config& tc) {
    auto sub_file = find_kustomization(tree_, path);
    if (!sub_file) return sub_file.error();
    if (!*sub_file) {
      if (is_helm_chart(tree_, path)) return helm_chart_error(path);
      return kustomize_error(k.file, fmt::format("resource \"{}\" is a folder without a kustomization", entry));
    }
    auto sub = load_kustomization(tree_, path, **sub_file, opts_);
    if (!sub) return sub.error();
    if (sub->component)
      return kustomize_error(k.file, fmt::format("\"{}\" is a Component: list it under components", entry));
    transformer_config sub_tc;
    auto built = build_dir(path, false, sub_tc);
    if (!built) return built.error();
    if (auto added = append_all(ra, std::move(*built), k.file); !added) return added;
    if (auto merged = merge_config(tc, sub_tc); !merged) return merged.error().wrap(k.file);
    return {};
  }

  result<void> add_objects(const kustomization& k, std::vector<manifest>&& objects, const std::string& path,
                           resmap& ra) {
    auto spent = spend(objects, path);
    if (!spent) return spent;
    std::vector<resource> more;
    more.reserve(objects.size());
    for (auto& m : objects) {
      resource res;
      res.obj = std::move(m.object);
      res.origin = std::move(m.origin);
      res.written = std::move(m.written);
      more.push_back(std::move(res));
    }
    return append_all(ra, std::move(more), k.file);
  }

  result<void> add_component(const kustomization& k, const std::string& entry, resmap& ra, transformer_config& tc) {
    if (is_remote(entry))
      return unsupported_error(k.file, fmt::format("remote component \"{}\" is not supported by gitopsd", entry));
    auto path = normalize_tree_path(join_path(k.dir, entry));
    if (!path) return kustomize_error(k.file, fmt::format("component \"{}\": {}", entry, path.error().what()));
    auto found = find_kustomization(tree_, *path);
    if (!found) return found.error();
    if (!*found) {
      if (is_helm_chart(tree_, *path)) return helm_chart_error(*path);
      return kustomize_error(k.file, fmt::format("component \"{}\" is not a folder with a kustomization", entry));
    }
    const std::string& file = **found;
    auto c = load_kustomization(tree_, *path, file, opts_);
    if (!c) return c.error();
    if (auto set = set_openapi(*c, false); !set) return set.error();
    if (!c->component) return kustomize_error(k.file, fmt::format("component \"{}\" must have kind: Component", entry));
    if (std::find(stack_.begin(), stack_.end(), *path) != stack_.end())
      return kustomize_error(file, "cycle: this component includes itself");
    stack_.push_back(*path);
    auto r = accumulate(*c, ra, tc);
    stack_.pop_back();
    if (!r) return r;
    // kustomize moves the component's result into a fresh accumulator: the configuration is merged anew.
    transformer_config fresh;
    if (auto merged = merge_config(fresh, tc); !merged) return merged.error().wrap(k.file);
    tc = std::move(fresh);
    return {};
  }

  result<void> add_generated(const kustomization& k, const generator_spec& g, bool secret, resmap& ra) {
    auto made = generate(tree_, k, g, secret);
    if (!made) return made.error();
    if (auto spent = spend(made->obj, k.file); !spent) return spent;
    resource& res = *made;
    res_id id = res.cur();
    std::vector<std::size_t> hits;
    for (std::size_t i = 0; i < ra.size(); ++i) {
      bool hit = same_id(ra[i].cur(), id);
      for (const auto& p : ra[i].prev) hit = hit || same_id(p, id);
      if (hit) hits.push_back(i);
    }
    const char* field = secret ? "secretGenerator" : "configMapGenerator";
    if (hits.empty()) {
      if (g.behavior != "create")
        return kustomize_error(k.file, fmt::format("{} \"{}\": behavior {} needs an existing {} of that name", field,
                                                   g.name, g.behavior, secret ? "Secret" : "ConfigMap"));
      ra.push_back(std::move(res));
      return {};
    }
    if (hits.size() > 1)
      return kustomize_error(k.file, fmt::format("{} \"{}\": several objects could take the merge", field, g.name));
    resource& old = ra[hits.front()];
    if (g.behavior == "create")
      return make_error(errc::conflict, fmt::format("{}: {} \"{}\" already exists (by {}); use behavior merge or "
                                                    "replace", k.file, field, g.name, old.origin));
    auto& a = res.obj.GetAllocator();
    auto merge_map = [&](const char* outer, const char* inner) {
      // kustomize writes the merged map back even when empty, which removes the field.
      const rapidjson::Value* from = inner ? json::find(old.obj, outer, inner) : json::find(old.obj, outer);
      rapidjson::Value& parent = inner ? json::ensure_object(res.obj, outer, a) : res.obj;
      const char* key = inner ? inner : outer;
      rapidjson::Value merged(rapidjson::kObjectType);
      if (from != nullptr && from->IsObject()) merged.CopyFrom(*from, a);
      if (auto* own = json::find(parent, key); own != nullptr && own->IsObject())
        for (const auto& m : own->GetObject()) json::set_string(merged, json::view(m.name), json::view(m.value), a);
      parent.RemoveMember(key);
      if (merged.MemberCount() > 0) parent.AddMember(rapidjson::Value(key, a), merged, a);
    };
    merge_map("metadata", "labels");
    merge_map("metadata", "annotations");
    if (g.behavior == "merge") {
      merge_map("data", nullptr);
      merge_map("binaryData", nullptr);
    }
    res.set_name(old.name());
    auto& meta = json::ensure_object(res.obj, "metadata", a);
    meta.RemoveMember("namespace");
    if (auto ns = json::get_string(old.obj, "metadata", "namespace")) json::set_string(meta, "namespace", *ns, a);
    res.prev = old.prev;
    res.prefixes = old.prefixes;
    res.suffixes = old.suffixes;
    res.ref_vars = old.ref_vars;
    res.untagged_scalars = old.untagged_scalars || !old.untagged.empty();
    res.shared_values = old.shared_values;
    res.origin = old.origin;
    // kustomize's build markers come from the old object, and the hash one survives only if the new
    // object asks for it too: the result is hashed only when both are (merge and replace alike).
    res.needs_hash = res.needs_hash && old.needs_hash;
    old = std::move(res);
    return {};
  }

  // The render's time budget, checked before each object a patch changes: a merge of long keyed
  // lists costs a good part of a second, and a kustomization may repeat it for many objects.
  keep_going time_check(const std::string& where) const {
    return [this, where] { return check_time(opts_, where); };
  }

  result<void> run_transformers(const kustomization& k, resmap& ra, const transformer_config& tc) {
    for (const auto& p : k.strategic_merge) {
      auto r = apply_strategic_merge_file(ra, p, opts_.yaml, time_check(p.origin));
      if (!r) return r;
    }
    for (const auto& p : k.patches) {
      auto r = apply_patch(ra, p, opts_.yaml, time_check(p.origin));
      if (!r) return r;
    }
    if (!k.ns.empty()) {
      auto r = set_namespace(ra, k.ns, tc.ns);
      if (!r) return r;
    }
    if (!k.prefix.empty())
      if (auto r = add_prefix_suffix(ra, k.prefix, true, tc.name_prefix); !r) return r;
    if (!k.suffix.empty())
      if (auto r = add_prefix_suffix(ra, k.suffix, false, tc.name_suffix); !r) return r;
    // kustomize runs the `labels` entries before commonLabels, so commonLabels wins a shared key.
    // Each entry walks every object with up to thousands of configured specs: the render's time
    // limit is checked between them.
    for (const auto& l : k.labels) {
      if (auto going = check_time(opts_, k.file); !going) return going;
      auto specs = label_specs(k, l, tc);
      if (!specs) return specs.error();
      if (auto r = add_pairs(ra, l.pairs, *specs); !r) return r;
    }
    if (auto r = add_pairs(ra, k.common_labels, tc.common_labels); !r) return r;
    if (auto r = add_pairs(ra, k.common_annotations, tc.common_annotations); !r) return r;
    for (const auto& p : k.json6902) {
      auto r = apply_patch(ra, p, opts_.yaml, time_check(p.origin));
      if (!r) return r;
    }
    for (const auto& [name, count] : k.replicas) {
      if (auto going = check_time(opts_, k.file); !going) return going;
      auto r = set_replicas(ra, name, count, k.file, tc.replicas);
      if (!r) return r;
    }
    for (const auto& im : k.images) {
      if (auto going = check_time(opts_, k.file); !going) return going;
      if (auto r = set_images(ra, im, tc.images); !r) return r;
    }
    if (auto r = apply_replacements(ra, k.replacements, k.file); !r) return r;
    return run_plugin_transformers(k, ra);
  }

  // `transformers` and `generators` entries configure built-in plugins; they run after the
  // kustomization's own transformers and generators.
  result<void> run_plugin_transformers(const kustomization& k, resmap& ra) {
    if (k.transformers.empty()) return {};
    auto configs = load_plugin_configs(tree_, k, k.transformers, "transformers", opts_.yaml, folder_builder());
    if (!configs) return configs.error();
    for (const auto& c : *configs)
      if (auto r = run_builtin_transformer(tree_, k, c, ra, opts_.yaml, time_check(c.origin)); !r) return r;
    return {};
  }

  result<void> add_plugin_generators(const kustomization& k, resmap& ra) {
    if (k.generators.empty()) return {};
    auto configs = load_plugin_configs(tree_, k, k.generators, "generators", opts_.yaml, folder_builder());
    if (!configs) return configs.error();
    kustomization own = k;
    own.generator_opts = {};  // kustomize gives a generator config none of the kustomization's options
    for (const auto& c : *configs) {
      auto call = read_builtin_generator(c);
      if (!call) return call.error();
      if (auto r = add_generated(own, call->spec, call->secret, ra); !r) return r;
    }
    return {};
  }

  build_folder_fn folder_builder() {
    return [this](const std::string& dir) {
      // kustomize builds such a folder on its own: its vars are not the build's.
      var_set outer = std::exchange(vars_, {});
      transformer_config sub;
      auto built = build_dir(dir, false, sub);
      vars_ = std::move(outer);
      return built;
    };
  }

  // Where a `labels` entry puts its pairs: its own fields, the configured labels, and the selectors
  // (includeSelectors) or the templates (includeTemplates) and metadata/labels, merged as kustomize does.
  static result<std::vector<field_spec>> label_specs(const kustomization& k, const label_spec& l,
                                                     const transformer_config& tc) {
    std::vector<field_spec> specs = l.fields;
    auto merged = merge_specs(specs, tc.labels, "labels");
    if (merged && l.include_selectors) {
      merged = merge_specs(specs, tc.common_labels, "labels");
    } else if (merged) {
      if (l.include_templates) merged = merge_specs(specs, tc.template_labels, "labels");
      if (merged) merged = merge_spec(specs, {{}, "metadata/labels", true}, "labels");
    }
    if (!merged) return merged.error().wrap(k.file);
    return specs;
  }

  // Every object read counts against the build's budgets, each time a base is reached: a base
  // included twice per level (a "diamond") doubles the work per level without a larger result.
  result<void> spend(const std::vector<manifest>& objects, const std::string& file) {
    for (const auto& m : objects)
      if (auto r = spend(m.object, file); !r) return r;
    return {};
  }
  result<void> spend(const rapidjson::Value& object, const std::string& file) {
    if (loaded_objects_ % 256 == 0)
      if (auto going = check_time(opts_, file); !going) return going;
    if (++loaded_objects_ > opts_.build.max_objects)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: the build read more than {} objects, bases counted each time they are "
                                    "included (limit max-render-objects)", file, opts_.build.max_objects));
    loaded_bytes_ += json::measure(object).bytes;
    if (loaded_bytes_ > opts_.build.max_bytes)
      return make_error(errc::limit_exceeded,
                        fmt::format("{}: the build read more than {} bytes of objects, bases counted each time they "
                                    "are included (limit max-render-bytes)", file, opts_.build.max_bytes));
    return {};
  }

  const file_tree& tree_;
  const options& opts_;
  std::vector<std::string> stack_;
  kustomization top_;  // the top level's own settings (sort order, build metadata)
  std::size_t builds_ = 0;
  var_set vars_;  // every kustomization's vars: kustomize merges them all up the tree
  std::size_t loaded_objects_ = 0;
  std::size_t loaded_bytes_ = 0;
  openapi_state openapi_;
};

}  // namespace

result<std::vector<manifest>> build(const file_tree& tree, std::string_view dir, const options& opts) {
  builder b(tree, opts);
  openapi_scope scope(b.openapi());
  auto norm = normalize_tree_path(dir);
  if (!norm) return make_error(errc::read_failed, norm.error().what());
  transformer_config tc;
  auto ra = b.build_dir(*norm, true, tc);
  if (!ra) return ra.error();
  auto out = b.finish(std::move(*ra), tc);
  if (auto loaded = b.openapi().status(); out && !loaded) return loaded.error();
  return out;
}

result<std::vector<manifest>> build_generated(const file_tree& tree, std::string_view dir,
                                              std::vector<folder_entry> entries, const options& opts) {
  builder b(tree, opts);
  openapi_scope scope(b.openapi());
  transformer_config tc;
  auto ra = b.build_generated(std::string(dir), std::move(entries), tc);
  if (!ra) return ra.error();
  auto out = b.finish(std::move(*ra), tc);
  if (auto loaded = b.openapi().status(); out && !loaded) return loaded.error();
  return out;
}

}  // namespace gitopsd::render::kustomize
