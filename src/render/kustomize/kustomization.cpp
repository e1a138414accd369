// Reading and checking a kustomization file. Every field is either understood or refused.
#include "model.hpp"
#include "replacements.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <set>

namespace gitopsd::render::kustomize {

error kustomize_error(std::string_view file, const std::string& what) {
  return make_error(errc::invalid_kustomization, fmt::format("{}: {}", file, what));
}

error unsupported_error(std::string_view file, const std::string& what) {
  return make_error(errc::unsupported, fmt::format("{}: {}", file, what));
}

result<std::string> file_in_root(const kustomization& k, const std::string& entry, std::string_view what) {
  auto norm = normalize_tree_path(join_path(k.dir, entry));
  if (!norm) return kustomize_error(k.file, fmt::format("{} \"{}\": {}", what, entry, norm.error().what()));
  if (!k.dir.empty() && !(norm->size() > k.dir.size() && norm->compare(0, k.dir.size(), k.dir) == 0 &&
                          (*norm)[k.dir.size()] == '/'))
    return kustomize_error(k.file, fmt::format("{} \"{}\" is outside the kustomization's folder, which kustomize "
                                               "does not allow for files", what, entry));
  return *norm;
}

namespace {

using value = rapidjson::Value;

struct reader {
  const std::string& file;

  [[nodiscard]] error bad(std::string_view field, std::string_view want) const {
    return kustomize_error(file, fmt::format("field \"{}\" must be {}", field, want));
  }

  result<std::string> str(const value& v, std::string_view field) const {
    if (!v.IsString()) return bad(field, "a string");
    return std::string(json::view(v));
  }

  result<bool> boolean(const value& v, std::string_view field) const {
    if (!v.IsBool()) return bad(field, "true or false");
    return v.GetBool();
  }

  result<std::vector<std::string>> strings(const value& v, std::string_view field) const {
    std::vector<std::string> out;
    if (v.IsNull()) return out;
    if (!v.IsArray()) return bad(field, "a list of strings");
    for (const auto& item : v.GetArray()) {
      if (!item.IsString()) return bad(field, "a list of strings");
      out.emplace_back(json::view(item));
    }
    return out;
  }

  // A string map; kustomize reads numbers and booleans there as their text.
  result<string_pairs> pairs(const value& v, std::string_view field) const {
    string_pairs out;
    if (v.IsNull()) return out;
    if (!v.IsObject()) return bad(field, "a map of strings");
    for (const auto& m : v.GetObject()) {
      if (!m.value.IsString()) return bad(fmt::format("{}.{}", field, json::view(m.name)), "a string");
      out.emplace_back(json::view(m.name), json::view(m.value));
    }
    return out;
  }

  result<void> check_fields(const value& v, std::string_view where, std::initializer_list<std::string_view> known) const {
    if (!v.IsObject()) return bad(where, "a map");
    for (const auto& m : v.GetObject()) {
      bool ok = false;
      for (auto k : known) ok = ok || json::view(m.name) == k;
      if (!ok) return kustomize_error(file, fmt::format("unknown field \"{}\" in {}", json::view(m.name), where));
    }
    return {};
  }
};

#define TRY_ASSIGN(lhs, expr)              \
  do {                                     \
    auto tmp_ = (expr);                    \
    if (!tmp_) return tmp_.error();        \
    lhs = std::move(*tmp_);                \
  } while (0)
#define TRY(expr)                          \
  do {                                     \
    auto tmp_ = (expr);                    \
    if (!tmp_) return tmp_.error();        \
  } while (0)

result<generator_options> read_options(const reader& r, const value& v, std::string_view where) {
  generator_options o;
  TRY(r.check_fields(v, where, {"labels", "annotations", "disableNameSuffixHash", "immutable"}));
  for (const auto& m : v.GetObject()) {
    std::string_view k = json::view(m.name);
    std::string f = fmt::format("{}.{}", where, k);
    if (k == "labels") TRY_ASSIGN(o.labels, r.pairs(m.value, f));
    else if (k == "annotations") TRY_ASSIGN(o.annotations, r.pairs(m.value, f));
    else if (k == "disableNameSuffixHash") TRY_ASSIGN(o.disable_hash, r.boolean(m.value, f));
    else if (k == "immutable") TRY_ASSIGN(o.immutable, r.boolean(m.value, f));
  }
  return o;
}

result<std::vector<generator_spec>> read_generators(const reader& r, const value& v, std::string_view field,
                                                    bool secret) {
  std::vector<generator_spec> out;
  if (v.IsNull()) return out;
  if (!v.IsArray()) return r.bad(field, "a list");
  for (const auto& g : v.GetArray()) {
    generator_spec s;
    if (secret)
      TRY(r.check_fields(g, field, {"name", "namespace", "behavior", "literals", "files", "envs", "env", "options", "type"}));
    else
      TRY(r.check_fields(g, field, {"name", "namespace", "behavior", "literals", "files", "envs", "env", "options"}));
    for (const auto& m : g.GetObject()) {
      std::string_view k = json::view(m.name);
      std::string f = fmt::format("{}.{}", field, k);
      if (k == "name") TRY_ASSIGN(s.name, r.str(m.value, f));
      else if (k == "namespace") TRY_ASSIGN(s.ns, r.str(m.value, f));
      else if (k == "behavior") TRY_ASSIGN(s.behavior, r.str(m.value, f));
      else if (k == "type") TRY_ASSIGN(s.type, r.str(m.value, f));
      else if (k == "literals") TRY_ASSIGN(s.literals, r.strings(m.value, f));
      else if (k == "files") TRY_ASSIGN(s.files, r.strings(m.value, f));
      else if (k == "envs") {
        std::vector<std::string> envs;
        TRY_ASSIGN(envs, r.strings(m.value, f));
        s.envs.insert(s.envs.end(), envs.begin(), envs.end());
      } else if (k == "env") {
        std::string env;
        TRY_ASSIGN(env, r.str(m.value, f));
        if (!env.empty()) s.envs.insert(s.envs.begin(), env);
      } else if (k == "options") TRY_ASSIGN(s.options, read_options(r, m.value, f));
    }
    if (s.behavior.empty()) s.behavior = "create";
    if (s.behavior != "create" && s.behavior != "merge" && s.behavior != "replace")
      return kustomize_error(r.file, fmt::format("{} \"{}\": behavior must be create, merge or replace, not \"{}\"",
                                                 field, s.name, s.behavior));
    if (s.name.empty()) return kustomize_error(r.file, fmt::format("{}: an entry has no name", field));
    out.push_back(std::move(s));
  }
  return out;
}

result<selector> read_selector(const reader& r, const value& v, std::string_view field) {
  selector s;
  TRY(r.check_fields(v, field, {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}));
  for (const auto& m : v.GetObject()) {
    std::string_view k = json::view(m.name);
    std::string f = fmt::format("{}.{}", field, k);
    if (k == "group") TRY_ASSIGN(s.type.group, r.str(m.value, f));
    else if (k == "version") TRY_ASSIGN(s.type.version, r.str(m.value, f));
    else if (k == "kind") TRY_ASSIGN(s.type.kind, r.str(m.value, f));
    else if (k == "name") TRY_ASSIGN(s.name, r.str(m.value, f));
    else if (k == "namespace") TRY_ASSIGN(s.ns, r.str(m.value, f));
    else if (k == "labelSelector") TRY_ASSIGN(s.label_selector, r.str(m.value, f));
    else if (k == "annotationSelector") TRY_ASSIGN(s.annotation_selector, r.str(m.value, f));
  }
  return s;
}

result<std::string> read_patch_file(const file_tree& tree, const std::string& dir, const std::string& path,
                                    const std::string& file) {
  kustomization scope;
  scope.dir = dir;
  scope.file = file;
  auto norm = file_in_root(scope, path, "patch");
  if (!norm) return norm.error();
  auto text = tree.read(*norm);
  if (!text) return kustomize_error(file, fmt::format("patch \"{}\": {}", path, text.error().what()));
  return *text;
}

result<std::vector<patch_spec>> read_patches(const reader& r, const file_tree& tree, const std::string& dir,
                                             const value& v, std::string_view field, bool legacy_json) {
  std::vector<patch_spec> out;
  if (v.IsNull()) return out;
  if (!v.IsArray()) return r.bad(field, "a list");
  std::size_t index = 0;
  for (const auto& p : v.GetArray()) {
    patch_spec s;
    std::string path;
    TRY(r.check_fields(p, field, {"path", "patch", "target", "options"}));
    for (const auto& m : p.GetObject()) {
      std::string_view k = json::view(m.name);
      std::string f = fmt::format("{}.{}", field, k);
      if (k == "path") TRY_ASSIGN(path, r.str(m.value, f));
      else if (k == "patch") TRY_ASSIGN(s.text, r.str(m.value, f));
      else if (k == "target") TRY_ASSIGN(s.target, read_selector(r, m.value, f));
      else if (k == "options") {
        TRY(r.check_fields(m.value, f, {"allowNameChange", "allowKindChange"}));
        for (const auto& o : m.value.GetObject()) {
          bool flag = false;
          TRY_ASSIGN(flag, r.boolean(o.value, fmt::format("{}.{}", f, json::view(o.name))));
          (json::view(o.name) == "allowNameChange" ? s.allow_name_change : s.allow_kind_change) = flag;
        }
      }
    }
    if (path.empty() == s.text.empty())
      return kustomize_error(r.file, fmt::format("{}[{}]: exactly one of path and patch must be set", field, index));
    if (legacy_json && !s.target)
      return kustomize_error(r.file, fmt::format("{}[{}]: target is required", field, index));
    if (!path.empty()) {
      TRY_ASSIGN(s.text, read_patch_file(tree, dir, path, r.file));
      s.origin = join_path(dir, path);
    } else {
      s.origin = fmt::format("{} {}[{}]", r.file, field, index);
    }
    out.push_back(std::move(s));
    ++index;
  }
  return out;
}

// sortOptions.legacySortOptions: kind lists replacing kustomize's built-in order (legacy only).
result<std::optional<std::pair<std::vector<std::string>, std::vector<std::string>>>> read_legacy_order(
    const reader& r, const value& sort_options, bool fifo) {
  std::optional<std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  const value* v = json::find(sort_options, "legacySortOptions");
  if (v == nullptr || v->IsNull()) return out;
  if (fifo)
    return kustomize_error(r.file, "the field 'sortOptions.legacySortOptions' is set but the selected sort order is "
                                   "'fifo', not 'legacy'");
  TRY(r.check_fields(*v, "sortOptions.legacySortOptions", {"orderFirst", "orderLast"}));
  out.emplace();
  if (auto f = json::find(*v, "orderFirst")) TRY_ASSIGN(out->first, r.strings(*f, "sortOptions.legacySortOptions.orderFirst"));
  if (auto l = json::find(*v, "orderLast")) TRY_ASSIGN(out->second, r.strings(*l, "sortOptions.legacySortOptions.orderLast"));
  return out;
}

const std::set<std::string_view> unsupported_fields = {
    "openapi", "imageTags", "vars", "crds", "helmGlobals", "helmCharts",
    "helmChartInflationGenerator", "configurations", "generators", "transformers", "validators"};

}  // namespace

result<kustomization> load_kustomization(const file_tree& tree, const std::string& dir, const std::string& file,
                                         const limits& lim) {
  auto text = tree.read(file);
  if (!text) return make_error(errc::read_failed, text.error().what());
  auto docs = decode_documents(*text, file, lim);
  if (!docs) return docs.error();
  if (docs->size() != 1 || !(*docs)[0].IsObject())
    return kustomize_error(file, "must hold exactly one YAML map");
  const value& doc = (*docs)[0];
  reader r{file};
  kustomization k;
  k.file = file;
  k.dir = dir;
  for (const auto& m : doc.GetObject()) {
    std::string_view key = json::view(m.name);
    const value& v = m.value;
    std::string f(key);
    if (unsupported_fields.count(key) != 0)
      return unsupported_error(file, fmt::format("field \"{}\" is not supported by gitopsd", key));
    if (key == "apiVersion") {
      std::string api;
      TRY_ASSIGN(api, r.str(v, f));
      if (api != "kustomize.config.k8s.io/v1beta1" && api != "kustomize.config.k8s.io/v1alpha1")
        return kustomize_error(file, fmt::format("unknown apiVersion \"{}\"", api));
    } else if (key == "kind") {
      std::string kind;
      TRY_ASSIGN(kind, r.str(v, f));
      if (kind != "Kustomization" && kind != "Component")
        return kustomize_error(file, fmt::format("unknown kind \"{}\"", kind));
      k.component = kind == "Component";
    } else if (key == "metadata") {
      if (!v.IsObject()) return r.bad(f, "a map");
    } else if (key == "resources" || key == "bases") {
      std::vector<std::string> list;
      TRY_ASSIGN(list, r.strings(v, f));
      k.resources.insert(k.resources.end(), list.begin(), list.end());
    } else if (key == "components") {
      TRY_ASSIGN(k.components, r.strings(v, f));
    } else if (key == "namespace") {
      TRY_ASSIGN(k.ns, r.str(v, f));
    } else if (key == "namePrefix") {
      TRY_ASSIGN(k.prefix, r.str(v, f));
    } else if (key == "nameSuffix") {
      TRY_ASSIGN(k.suffix, r.str(v, f));
    } else if (key == "commonLabels") {
      TRY_ASSIGN(k.common_labels, r.pairs(v, f));
    } else if (key == "commonAnnotations") {
      TRY_ASSIGN(k.common_annotations, r.pairs(v, f));
    } else if (key == "labels") {
      if (!v.IsArray()) return r.bad(f, "a list");
      for (const auto& item : v.GetArray()) {
        label_spec l;
        TRY(r.check_fields(item, f, {"pairs", "includeSelectors", "includeTemplates", "fields"}));
        for (const auto& lm : item.GetObject()) {
          std::string_view lk = json::view(lm.name);
          std::string lf = fmt::format("labels.{}", lk);
          if (lk == "pairs") TRY_ASSIGN(l.pairs, r.pairs(lm.value, lf));
          else if (lk == "includeSelectors") TRY_ASSIGN(l.include_selectors, r.boolean(lm.value, lf));
          else if (lk == "includeTemplates") TRY_ASSIGN(l.include_templates, r.boolean(lm.value, lf));
          else return unsupported_error(file, "field \"labels.fields\" is not supported by gitopsd");
        }
        k.labels.push_back(std::move(l));
      }
    } else if (key == "images") {
      if (!v.IsArray()) return r.bad(f, "a list");
      for (const auto& item : v.GetArray()) {
        image_spec im;
        TRY(r.check_fields(item, f, {"name", "newName", "newTag", "digest", "tagSuffix"}));
        for (const auto& im_m : item.GetObject()) {
          std::string_view ik = json::view(im_m.name);
          std::string* dest = ik == "name"      ? &im.name
                              : ik == "newName" ? &im.new_name
                              : ik == "newTag"  ? &im.new_tag
                              : ik == "digest"  ? &im.digest
                                                : &im.tag_suffix;
          // A tag written as a number (newTag: 1.20) is still a tag.
          if (im_m.value.IsNumber()) *dest = json::serialize(im_m.value);
          else TRY_ASSIGN(*dest, r.str(im_m.value, fmt::format("images.{}", ik)));
        }
        if (im.name.empty()) return kustomize_error(file, "images: an entry has no name");
        k.images.push_back(std::move(im));
      }
    } else if (key == "replicas") {
      if (!v.IsArray()) return r.bad(f, "a list");
      for (const auto& item : v.GetArray()) {
        TRY(r.check_fields(item, f, {"name", "count"}));
        std::string name;
        if (auto n = json::find(item, "name")) TRY_ASSIGN(name, r.str(*n, "replicas.name"));
        auto count = json::get_int(item, "count");
        if (!count) return r.bad("replicas.count", "an integer");
        k.replicas.emplace_back(name, *count);
      }
    } else if (key == "patches") {
      TRY_ASSIGN(k.patches, read_patches(r, tree, dir, v, f, false));
    } else if (key == "patchesJson6902") {
      TRY_ASSIGN(k.json6902, read_patches(r, tree, dir, v, f, true));
    } else if (key == "patchesStrategicMerge") {
      std::vector<std::string> list;
      TRY_ASSIGN(list, r.strings(v, f));
      std::size_t index = 0;
      for (const auto& entry : list) {
        patch_spec s;
        // An entry is either a file or an inline patch (kustomize tries the file first).
        if (entry.find('\n') == std::string::npos) {
          TRY_ASSIGN(s.text, read_patch_file(tree, dir, entry, file));
          s.origin = join_path(dir, entry);
        } else {
          s.text = entry;
          s.origin = fmt::format("{} patchesStrategicMerge[{}]", file, index);
        }
        ++index;
        k.strategic_merge.push_back(std::move(s));
      }
    } else if (key == "configMapGenerator") {
      TRY_ASSIGN(k.config_maps, read_generators(r, v, f, false));
    } else if (key == "secretGenerator") {
      TRY_ASSIGN(k.secrets, read_generators(r, v, f, true));
    } else if (key == "generatorOptions") {
      TRY_ASSIGN(k.generator_opts, read_options(r, v, f));
    } else if (key == "buildMetadata") {
      TRY_ASSIGN(k.build_metadata, r.strings(v, f));
    } else if (key == "replacements") {
      TRY_ASSIGN(k.replacements, read_replacements(tree, dir, file, v, lim));
    } else if (key == "sortOptions") {
      TRY(r.check_fields(v, f, {"order", "legacySortOptions"}));
      std::string order;
      if (auto o = json::find(v, "order")) TRY_ASSIGN(order, r.str(*o, "sortOptions.order"));
      if (order != "legacy" && order != "fifo")
        return kustomize_error(file, fmt::format("sortOptions.order must be legacy or fifo, not \"{}\"", order));
      k.fifo_order = order == "fifo";
      TRY_ASSIGN(k.legacy_order, read_legacy_order(r, v, k.fifo_order));
    } else {
      return kustomize_error(file, fmt::format("unknown field \"{}\"", key));
    }
  }
  return k;
}

}  // namespace gitopsd::render::kustomize
