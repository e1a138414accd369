// Reading and checking a kustomization file. Every field is either understood or refused.
#include "field_names.hpp"
#include "kustomization_fields.hpp"
#include "model.hpp"
#include "replacements.hpp"
#include "transformer_config.hpp"
#include "vars.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace gitopsd::render::kustomize {

error kustomize_error(std::string_view file, const std::string& what) {
  return make_error(errc::invalid_kustomization, fmt::format("{}: {}", file, what));
}

error unsupported_error(std::string_view file, const std::string& what) {
  return make_error(errc::unsupported, fmt::format("{}: {}", file, what));
}

bool is_remote(std::string_view entry) {
  for (std::string_view scheme : {"git::", "git@", "github.com/", "gitlab.com/", "bitbucket.org/", "gh:"})
    if (entry.starts_with(scheme)) return true;
  return entry.find("://") != std::string_view::npos;
}

bool below(std::string_view dir, std::string_view path) {
  return dir.empty() || (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

result<std::string> file_in_root(const kustomization& k, const std::string& entry, std::string_view what) {
  // kustomize downloads a file given as a URL; gitopsd reads the repository alone.
  if (entry.find("://") != std::string::npos)
    return unsupported_error(k.file, fmt::format("remote {} \"{}\" is not supported by gitopsd", what, entry));
  auto norm = normalize_tree_path(join_path(k.dir, entry));
  if (!norm) return kustomize_error(k.file, fmt::format("{} \"{}\": {}", what, entry, norm.error().what()));
  if (!k.load_anywhere && !below(k.dir, *norm))
    return kustomize_error(k.file, fmt::format("{} \"{}\" is outside the kustomization's folder, which kustomize "
                                               "does not allow for files", what, entry));
  return *norm;
}

result<named_file> read_named_file(const file_tree& tree, const kustomization& k, const std::string& entry,
                                   std::string_view what) {
  auto path = file_in_root(k, entry, what);
  if (!path) return path.error();
  auto text = tree.read(*path);
  if (!text) return kustomize_error(k.file, fmt::format("{} \"{}\": {}", what, entry, text.error().what()));
  return named_file{std::move(*path), std::move(*text)};
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

  struct member {
    std::string_view name;  // the field's own spelling, whatever case the file used
    const rapidjson::Value& value;
  };

  // The members of a map with their names matched to `known` as kustomize matches them; a name
  // matching none is an error.
  result<std::vector<member>> fields(const value& v, std::string_view where,
                                     std::initializer_list<std::string_view> known) const {
    if (!v.IsObject()) return bad(where, "a map");
    std::vector<member> out;
    for (const auto& m : v.GetObject()) {
      auto name = match_field(json::view(m.name), known);
      if (!name) return kustomize_error(file, fmt::format("unknown field \"{}\" in {}", json::view(m.name), where));
      out.push_back({*name, m.value});
    }
    return out;
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
  std::vector<reader::member> ms_;
  TRY_ASSIGN(ms_, r.fields(v, where, {"labels", "annotations", "disableNameSuffixHash", "immutable"}));
  for (const auto& m : ms_) {
    std::string_view k = m.name;
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
    std::vector<reader::member> ms_;
    TRY_ASSIGN(ms_, r.fields(g, field, secret ? secret_generator_fields : configmap_generator_fields));
    for (const auto& m : ms_) {
      std::string_view k = m.name;
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
    // kustomize reads any other value (an empty one, "add", "Merge") as unspecified, which acts as create.
    if (s.behavior != "merge" && s.behavior != "replace") s.behavior = "create";
    if (s.name.empty()) return kustomize_error(r.file, fmt::format("{}: an entry has no name", field));
    out.push_back(std::move(s));
  }
  return out;
}

result<selector> read_selector(const reader& r, const value& v, std::string_view field) {
  selector s;
  std::vector<reader::member> ms_;
  TRY_ASSIGN(ms_, r.fields(v, field, {"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"}));
  for (const auto& m : ms_) {
    std::string_view k = m.name;
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

result<std::string> read_patch_file(const file_tree& tree, const kustomization& scope, const std::string& path) {
  const std::string& file = scope.file;
  auto norm = file_in_root(scope, path, "patch");
  if (!norm) return norm.error();
  auto text = tree.read(*norm);
  if (!text) return kustomize_error(file, fmt::format("patch \"{}\": {}", path, text.error().what()));
  return *text;
}

// Whether a patch holds no document at all (empty, blank or only comments).
bool no_documents(const std::string& text, const std::string& origin, const limits& lim) {
  auto docs = decode_documents(text, origin, lim);
  return docs && docs->empty();
}

result<std::vector<patch_spec>> read_patches(const reader& r, const file_tree& tree, const kustomization& scope,
                                             const value& v, std::string_view field, bool legacy_json,
                                             const limits& lim) {
  std::vector<patch_spec> out;
  if (v.IsNull()) return out;
  if (!v.IsArray()) return r.bad(field, "a list");
  std::size_t index = 0;
  for (const auto& p : v.GetArray()) {
    patch_spec s;
    std::string path;
    std::vector<reader::member> ms_;
    TRY_ASSIGN(ms_, r.fields(p, field, {"path", "patch", "target", "options"}));
    for (const auto& m : ms_) {
      std::string_view k = m.name;
      std::string f = fmt::format("{}.{}", field, k);
      if (k == "path") TRY_ASSIGN(path, r.str(m.value, f));
      else if (k == "patch") TRY_ASSIGN(s.text, r.str(m.value, f));
      else if (k == "target") TRY_ASSIGN(s.target, read_selector(r, m.value, f));
      else if (k == "options") {
        std::vector<reader::member> os_;
        TRY_ASSIGN(os_, r.fields(m.value, f, {"allowNameChange", "allowKindChange"}));
        for (const auto& o : os_) {
          bool flag = false;
          TRY_ASSIGN(flag, r.boolean(o.value, fmt::format("{}.{}", f, o.name)));
          (o.name == "allowNameChange" ? s.allow_name_change : s.allow_kind_change) = flag;
        }
      }
    }
    if (path.empty() == s.text.empty())
      return kustomize_error(r.file, fmt::format("{}[{}]: exactly one of path and patch must be set", field, index));
    if (legacy_json && !s.target)
      return kustomize_error(r.file, fmt::format("{}[{}]: target is required", field, index));
    if (!path.empty()) {
      TRY_ASSIGN(s.text, read_patch_file(tree, scope, path));
      s.origin = join_path(scope.dir, path);
      // kustomize refuses an empty JSON patch file and applies an empty `patches` file as nothing.
      if (no_documents(s.text, s.origin, lim)) {
        if (legacy_json)
          return kustomize_error(r.file, fmt::format("{}[{}]: patch file \"{}\" is empty", field, index, path));
        ++index;
        continue;
      }
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
    const reader& r, const value* v, bool fifo) {
  std::optional<std::pair<std::vector<std::string>, std::vector<std::string>>> out;
  if (v == nullptr || v->IsNull()) return out;
  if (fifo)
    return kustomize_error(r.file, "the field 'sortOptions.legacySortOptions' is set but the selected sort order is "
                                   "'fifo', not 'legacy'");
  std::vector<reader::member> members;
  TRY_ASSIGN(members, r.fields(*v, "sortOptions.legacySortOptions", {"orderFirst", "orderLast"}));
  out.emplace();
  for (const auto& m : members) {
    if (m.name == "orderFirst") TRY_ASSIGN(out->first, r.strings(m.value, "sortOptions.legacySortOptions.orderFirst"));
    else TRY_ASSIGN(out->second, r.strings(m.value, "sortOptions.legacySortOptions.orderLast"));
  }
  return out;
}

const std::set<std::string_view> unsupported_fields = {
    "helmGlobals", "helmCharts",
    "helmChartInflationGenerator", "validators"};

// Every field of kustomize's Kustomization type.
const std::initializer_list<std::string_view> kustomization_fields = {
    "apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix", "namespace", "commonLabels", "labels",
    "commonAnnotations", "patchesStrategicMerge", "patchesJson6902", "patches", "images", "imageTags",
    "replacements", "replicas", "vars", "sortOptions", "resources", "components", "crds", "bases",
    "configMapGenerator", "secretGenerator", "helmGlobals", "helmCharts", "helmChartInflationGenerator",
    "generatorOptions", "configurations", "generators", "transformers", "validators", "buildMetadata"};

// kustomize's rule: an empty kind is a Kustomization; a Kustomization is v1beta1, a Component
// v1alpha1, and an empty apiVersion is whichever the kind needs.
result<void> check_type(const std::string& file, const std::string& api, const std::string& kind) {
  if (!kind.empty() && kind != "Kustomization" && kind != "Component")
    return kustomize_error(file, fmt::format("kind must be Kustomization or Component, not \"{}\"", kind));
  bool component = kind == "Component";
  std::string_view want = component ? "kustomize.config.k8s.io/v1alpha1" : "kustomize.config.k8s.io/v1beta1";
  if (!api.empty() && api != want)
    return kustomize_error(file, fmt::format("apiVersion of a {} must be {}, not \"{}\"",
                                             component ? "Component" : "Kustomization", want, api));
  return {};
}

}  // namespace

result<kustomization> load_kustomization(const file_tree& tree, const std::string& dir, const std::string& file,
                                         const options& opts) {
  const limits& lim = opts.yaml;
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
  k.load_anywhere = opts.load == load_restrictor::none;
  std::vector<reader::member> members;
  TRY_ASSIGN(members, r.fields(doc, "the kustomization", kustomization_fields));
  // A field given twice (in two spellings) takes the last value, as encoding/json decodes it.
  std::string api, kind;
  std::vector<std::string> bases;
  std::vector<image_spec> image_tags;
  for (const auto& m : members) {
    std::string_view key = m.name;
    const value& v = m.value;
    std::string f(key);
    if (key == "transformers" || key == "generators") {  // built-in plugin configs (builtin_plugins.cpp)
      TRY_ASSIGN((key == "transformers" ? k.transformers : k.generators), r.strings(v, f));
      continue;
    }
    if (unsupported_fields.count(key) != 0)
      return unsupported_error(file, fmt::format("field \"{}\" is not supported by gitopsd", key));
    if (key == "apiVersion") {
      TRY_ASSIGN(api, r.str(v, f));
    } else if (key == "kind") {
      TRY_ASSIGN(kind, r.str(v, f));
    } else if (key == "metadata") {
      if (!v.IsObject()) return r.bad(f, "a map");
    } else if (key == "openapi") {
      string_pairs openapi;
      TRY_ASSIGN(openapi, r.pairs(v, f));
      for (auto& [name, value] : openapi) {
        if (name == "path") k.openapi.path = std::move(value);
        if (name == "version") k.openapi.version = std::move(value);
      }
    } else if (key == "crds") {
      TRY_ASSIGN(k.crds, r.strings(v, f));
    } else if (key == "resources") {
      TRY_ASSIGN(k.resources, r.strings(v, f));
    } else if (key == "bases") {
      TRY_ASSIGN(bases, r.strings(v, f));
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
      k.labels.clear();
      for (const auto& item : v.GetArray()) {
        label_spec l;
        std::vector<reader::member> lms_;
        TRY_ASSIGN(lms_, r.fields(item, f, {"pairs", "includeSelectors", "includeTemplates", "fields"}));
        for (const auto& lm : lms_) {
          std::string_view lk = lm.name;
          std::string lf = fmt::format("labels.{}", lk);
          if (lk == "pairs") TRY_ASSIGN(l.pairs, r.pairs(lm.value, lf));
          else if (lk == "includeSelectors") TRY_ASSIGN(l.include_selectors, r.boolean(lm.value, lf));
          else if (lk == "includeTemplates") TRY_ASSIGN(l.include_templates, r.boolean(lm.value, lf));
          else TRY_ASSIGN(l.fields, read_field_specs(lm.value, file, lf));
        }
        k.labels.push_back(std::move(l));
      }
    } else if (key == "images" || key == "imageTags") {
      if (!v.IsArray()) return r.bad(f, "a list");
      auto& images = key == "images" ? k.images : image_tags;
      images.clear();
      for (const auto& item : v.GetArray()) {
        image_spec im;
        std::vector<reader::member> im_ms_;
        TRY_ASSIGN(im_ms_, r.fields(item, f, {"name", "newName", "newTag", "digest", "tagSuffix"}));
        for (const auto& im_m : im_ms_) {
          std::string_view ik = im_m.name;
          std::string* dest = ik == "name"      ? &im.name
                              : ik == "newName" ? &im.new_name
                              : ik == "newTag"  ? &im.new_tag
                              : ik == "digest"  ? &im.digest
                                                : &im.tag_suffix;
          // A tag written as a number (newTag: 1.20) is still a tag.
          if (im_m.value.IsNumber()) *dest = json::serialize(im_m.value);
          else TRY_ASSIGN(*dest, r.str(im_m.value, fmt::format("images.{}", ik)));
        }
        // An empty name is no error in kustomize: it matches images whose name part is empty.
        images.push_back(std::move(im));
      }
    } else if (key == "replicas") {
      if (!v.IsArray()) return r.bad(f, "a list");
      k.replicas.clear();
      for (const auto& item : v.GetArray()) {
        std::vector<reader::member> rms;
        TRY_ASSIGN(rms, r.fields(item, f, {"name", "count"}));
        std::string name;
        std::optional<std::int64_t> count;
        for (const auto& rm : rms) {
          if (rm.name == "name") TRY_ASSIGN(name, r.str(rm.value, "replicas.name"));
          else if (rm.value.IsInt64()) count = rm.value.GetInt64();
          else return r.bad("replicas.count", "an integer");
        }
        if (!count) return r.bad("replicas.count", "an integer");
        k.replicas.emplace_back(name, *count);
      }
    } else if (key == "patches") {
      TRY_ASSIGN(k.patches, read_patches(r, tree, k, v, f, false, lim));
    } else if (key == "patchesJson6902") {
      TRY_ASSIGN(k.json6902, read_patches(r, tree, k, v, f, true, lim));
    } else if (key == "patchesStrategicMerge") {
      std::vector<std::string> list;
      TRY_ASSIGN(list, r.strings(v, f));
      std::size_t index = 0;
      k.strategic_merge.clear();
      for (const auto& entry : list) {
        patch_spec s;
        // An entry is either a file or an inline patch (kustomize tries the file first).
        if (entry.find('\n') == std::string::npos) {
          TRY_ASSIGN(s.text, read_patch_file(tree, k, entry));
          s.origin = join_path(dir, entry);
        } else {
          s.text = entry;
          s.origin = fmt::format("{} patchesStrategicMerge[{}]", file, index);
        }
        ++index;
        k.strategic_merge.push_back(std::move(s));
      }
      // kustomize refuses the field when its patches, all together, hold no document.
      if (!list.empty() && std::all_of(k.strategic_merge.begin(), k.strategic_merge.end(), [&](const patch_spec& p) {
            return no_documents(p.text, p.origin, lim);
          }))
        return kustomize_error(file, fmt::format("{}: the patches are empty", f));
    } else if (key == "configMapGenerator") {
      TRY_ASSIGN(k.config_maps, read_generators(r, v, f, false));
    } else if (key == "secretGenerator") {
      TRY_ASSIGN(k.secrets, read_generators(r, v, f, true));
    } else if (key == "generatorOptions") {
      TRY_ASSIGN(k.generator_opts, read_options(r, v, f));
    } else if (key == "configurations") {
      TRY_ASSIGN(k.configurations, r.strings(v, f));
    } else if (key == "buildMetadata") {
      TRY_ASSIGN(k.build_metadata, r.strings(v, f));
    } else if (key == "vars") {
      TRY_ASSIGN(k.vars, read_vars(v, file));
    } else if (key == "replacements") {
      TRY_ASSIGN(k.replacements, read_replacements(tree, dir, file, v, lim));
    } else if (key == "sortOptions") {
      std::vector<reader::member> sms;
      TRY_ASSIGN(sms, r.fields(v, f, {"order", "legacySortOptions"}));
      std::string order;
      const value* legacy = nullptr;
      for (const auto& sm : sms) {
        if (sm.name == "legacySortOptions") legacy = &sm.value;
        else TRY_ASSIGN(order, r.str(sm.value, "sortOptions.order"));
      }
      if (order != "legacy" && order != "fifo")
        return kustomize_error(file, fmt::format("sortOptions.order must be legacy or fifo, not \"{}\"", order));
      k.fifo_order = order == "fifo";
      TRY_ASSIGN(k.legacy_order, read_legacy_order(r, legacy, k.fifo_order));
    }
  }
  // kustomize appends the deprecated spellings after the current ones.
  k.resources.insert(k.resources.end(), bases.begin(), bases.end());
  k.images.insert(k.images.end(), image_tags.begin(), image_tags.end());
  TRY(check_type(file, api, kind));
  k.component = kind == "Component";
  return k;
}

result<std::vector<generator_spec>> read_generator_list(const value& v, const std::string& file,
                                                        std::string_view field, bool secret) {
  return read_generators(reader{file}, v, field, secret);
}

result<std::vector<patch_spec>> read_patch_list(const file_tree& tree, const kustomization& scope, const value& v,
                                                const std::string& file, std::string_view field, bool legacy_json,
                                                const limits& lim) {
  return read_patches(reader{file}, tree, scope, v, field, legacy_json, lim);
}

result<string_pairs> read_string_map(const value& v, const std::string& file, std::string_view field) {
  return reader{file}.pairs(v, field);
}

}  // namespace gitopsd::render::kustomize
