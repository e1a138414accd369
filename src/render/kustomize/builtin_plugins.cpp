#include "builtin_plugins.hpp"

#include "field_names.hpp"
#include "kustomization_fields.hpp"
#include "replacements.hpp"
#include "transforms.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

// A config's field as encoding/json finds it (any case, the last one wins) or, for the configs
// kustomize decodes with go-yaml, by its exact name.
const value* field(const value& doc, std::string_view name, bool exact = false) {
  const value* found = nullptr;
  std::string want = fold_field_name(name);
  for (const auto& m : doc.GetObject()) {
    auto key = json::view(m.name);
    if (exact ? key == name : fold_field_name(key) == want) found = &m.value;
  }
  return found;
}

// The config's fields of `names` alone, as a one-entry list for the kustomization field readers
// (a config's other fields, apiVersion, kind and metadata among them, are no part of the entry).
rapidjson::Document entry_of(const value& doc, std::initializer_list<std::string_view> names) {
  rapidjson::Document out;
  out.SetArray();
  auto& a = out.GetAllocator();
  value one(rapidjson::kObjectType);
  for (const auto& m : doc.GetObject())
    if (match_field(json::view(m.name), names)) one.AddMember(value(m.name, a), value(m.value, a), a);
  out.PushBack(one, a);
  return out;
}

result<std::string> string_field(const plugin_config& c, std::string_view name, bool exact = false) {
  const value* v = field(c.doc, name, exact);
  if (v == nullptr || v->IsNull()) return std::string();
  if (!v->IsString())
    return kustomize_error(c.origin, fmt::format("field \"{}\" of {} must be a string", name, c.kind));
  return std::string(json::view(*v));
}

result<std::vector<field_spec>> specs_of(const plugin_config& c, bool exact = false) {
  const value* v = field(c.doc, "fieldSpecs", exact);
  if (v == nullptr) return std::vector<field_spec>();
  return read_field_specs(*v, c.origin, "fieldSpecs");
}

result<void> pairs(const plugin_config& c, std::string_view name, resmap& ra) {
  const value* v = field(c.doc, name);
  string_pairs p;
  if (v != nullptr) {
    auto read = read_string_map(*v, c.origin, name);
    if (!read) return read.error();
    p = std::move(*read);
  }
  auto specs = specs_of(c);
  if (!specs) return specs.error();
  return add_pairs(ra, p, *specs);
}

// PrefixTransformer, SuffixTransformer, and PrefixSuffixTransformer (both, prefix first).
result<void> prefix_suffix(const plugin_config& c, bool prefix, resmap& ra) {
  auto text = string_field(c, prefix ? "prefix" : "suffix", true);
  if (!text) return text.error();
  if (field(c.doc, "fieldSpecs", true) == nullptr)
    return kustomize_error(c.origin, fmt::format("{} needs fieldSpecs (kustomize gives it none of its own)", c.kind));
  auto specs = specs_of(c, true);
  if (!specs) return specs.error();
  return add_prefix_suffix(ra, *text, prefix, *specs);
}

result<void> set_ns(const plugin_config& c, resmap& ra) {
  const value* meta = field(c.doc, "metadata");
  std::string ns;
  if (meta != nullptr && meta->IsObject())
    ns = std::string(json::get_string(*meta, "namespace").value_or(""));
  namespace_options o;
  if (const value* unset_only = field(c.doc, "unsetOnly"); unset_only != nullptr && !unset_only->IsNull()) {
    if (!unset_only->IsBool())
      return kustomize_error(c.origin, "field \"unsetOnly\" of NamespaceTransformer must be true or false");
    o.unset_only = unset_only->GetBool();
  }
  auto mode = string_field(c, "setRoleBindingSubjects");
  if (!mode) return mode.error();
  if (*mode == "none") o.subjects = subjects_mode::none;
  else if (*mode == "allServiceAccounts") o.subjects = subjects_mode::all_service_accounts;
  else if (!mode->empty() && *mode != "defaultOnly")
    return kustomize_error(c.origin, fmt::format("invalid value \"{}\" for setRoleBindingSubjects: must be one of "
                                                 "defaultOnly, none or allServiceAccounts", *mode));
  auto specs = specs_of(c);
  if (!specs) return specs.error();
  if (ns.empty()) return {};
  return set_namespace(ra, ns, *specs, o);
}

// A tag written as a number (newTag: 1.20) is still a tag.
result<void> image_text(const plugin_config& c, const value& v, std::string_view name, std::string& out) {
  if (v.IsNumber()) out = json::serialize(v);
  else if (v.IsString()) out = std::string(json::view(v));
  else if (!v.IsNull()) return kustomize_error(c.origin, fmt::format("imageTag.{} must be a string", name));
  return {};
}

result<void> set_image(const plugin_config& c, resmap& ra) {
  image_spec im;
  const value* v = field(c.doc, "imageTag");
  if (v != nullptr && v->IsObject()) {
    for (const auto& m : v->GetObject()) {
      auto name = match_field(json::view(m.name), {"name", "newName", "newTag", "digest", "tagSuffix"});
      if (!name) continue;
      std::string* dest = *name == "name"      ? &im.name
                          : *name == "newName" ? &im.new_name
                          : *name == "newTag"  ? &im.new_tag
                          : *name == "digest"  ? &im.digest
                                               : &im.tag_suffix;
      if (auto r = image_text(c, m.value, *name, *dest); !r) return r;
    }
  } else if (v != nullptr && !v->IsNull()) {
    return kustomize_error(c.origin, "field \"imageTag\" of ImageTagTransformer must be a map");
  }
  auto specs = specs_of(c);
  if (!specs) return specs.error();
  return set_images(ra, im, *specs);
}

result<void> set_replica_count(const plugin_config& c, resmap& ra) {
  std::string name;
  std::int64_t count = 0;
  const value* v = field(c.doc, "replica");
  if (v != nullptr && v->IsObject()) {
    for (const auto& m : v->GetObject()) {
      auto key = match_field(json::view(m.name), {"name", "count"});
      if (key == "name" && m.value.IsString()) name = std::string(json::view(m.value));
      else if (key == "count" && m.value.IsInt64()) count = m.value.GetInt64();
      else if (key)
        return kustomize_error(c.origin, fmt::format("field \"replica.{}\" of ReplicaCountTransformer must be {}", *key,
                                                     *key == "name" ? "a string" : "an integer"));
    }
  } else if (v != nullptr && !v->IsNull()) {
    return kustomize_error(c.origin, "field \"replica\" of ReplicaCountTransformer must be a map");
  }
  auto specs = specs_of(c);
  if (!specs) return specs.error();
  return set_replicas(ra, name, count, c.origin, *specs);
}

result<void> patch(const file_tree& tree, const kustomization& k, const plugin_config& c, bool json6902, resmap& ra,
                   const limits& lim, const keep_going& going) {
  rapidjson::Document list = json6902 ? entry_of(c.doc, {"path", "jsonOp", "target"})
                                      : entry_of(c.doc, {"path", "patch", "target", "options"});
  auto& a = list.GetAllocator();
  value& one = list[0];
  for (auto& m : one.GetObject()) {
    auto key = json::view(m.name);
    if (json6902 && fold_field_name(key) == fold_field_name("jsonOp")) m.name.SetString("patch", a);
    // kustomize trims an inline patch: one of blanks alone is no patch.
    if (!json6902 && fold_field_name(key) == "patch" && m.value.IsString()) {
      std::string text(json::view(m.value));
      auto first = text.find_first_not_of(" \t\r\n");
      auto last = text.find_last_not_of(" \t\r\n");
      text = first == std::string::npos ? "" : text.substr(first, last - first + 1);
      m.value.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
    }
  }
  if (json6902) {
    const value* target = field(one, "target");
    const value* name = target != nullptr && target->IsObject() ? field(*target, "name") : nullptr;
    if (name == nullptr || !name->IsString() || name->GetStringLength() == 0)
      return kustomize_error(c.origin, "PatchJson6902Transformer must specify the target name");
  }
  auto specs = read_patch_list(tree, k, list, c.origin, c.kind, json6902, lim);
  if (!specs) return specs.error();
  for (const auto& p : *specs) {
    if (!json6902) break;
    auto docs = decode_documents(p.text, p.origin, lim);
    if (docs && !docs->empty() && (*docs)[0].IsArray() && (*docs)[0].Empty())
      return kustomize_error(c.origin, "PatchJson6902Transformer: the patch has no operations");
  }
  for (const auto& p : *specs)
    if (auto r = apply_patch(ra, p, lim, going); !r) return r;
  return {};
}

// PatchStrategicMergeTransformer: `paths` (each a file, or for legacy reasons the patch itself)
// and `patches` (documents).
result<void> strategic_merge(const file_tree& tree, const kustomization& k, const plugin_config& c, resmap& ra,
                             const limits& lim, const keep_going& going) {
  std::vector<patch_spec> specs;
  const value* paths = field(c.doc, "paths");
  if (paths != nullptr && !paths->IsNull()) {
    if (!paths->IsArray())
      return kustomize_error(c.origin, "field \"paths\" of PatchStrategicMergeTransformer must be a list");
    std::size_t index = 0;
    for (const auto& p : paths->GetArray()) {
      if (!p.IsString())
        return kustomize_error(c.origin, "field \"paths\" of PatchStrategicMergeTransformer must be a list of strings");
      patch_spec s;
      std::string entry(json::view(p));
      if (is_inline_config(entry, lim)) {
        s.text = std::move(entry);
        s.origin = fmt::format("{} paths[{}]", c.origin, index);
      } else {
        auto path = file_in_root(k, entry, "patch");
        if (!path) return path.error();
        auto text = tree.read(*path);
        if (!text) return kustomize_error(c.origin, fmt::format("patch \"{}\": {}", entry, text.error().what()));
        s.text = std::move(*text);
        s.origin = *path;
      }
      specs.push_back(std::move(s));
      ++index;
    }
  }
  auto inline_text = string_field(c, "patches");
  if (!inline_text) return inline_text.error();
  if (!inline_text->empty()) specs.push_back({*inline_text, fmt::format("{} patches", c.origin), {}, false, false});
  bool empty = std::all_of(specs.begin(), specs.end(), [&](const patch_spec& s) {
    auto docs = decode_documents(s.text, s.origin, lim);
    return docs && docs->empty();
  });
  if (empty) return kustomize_error(c.origin, "PatchStrategicMergeTransformer: the patches are empty");
  for (const auto& s : specs)
    if (auto r = apply_strategic_merge_file(ra, s, lim, going); !r) return r;
  return {};
}

result<void> replace(const file_tree& tree, const kustomization& k, const plugin_config& c, resmap& ra,
                     const limits& lim) {
  const value* list = field(c.doc, "replacements");
  if (list == nullptr || list->IsNull()) return {};
  auto specs = read_replacements(tree, k.dir, c.origin, *list, lim, false);
  if (!specs) return specs.error();
  return apply_replacements(ra, *specs, c.origin);
}

bool is_generator(std::string_view kind) {
  return kind == "ConfigMapGenerator" || kind == "SecretGenerator" || kind == "IAMPolicyGenerator" ||
         kind == "HelmChartInflationGenerator";
}

}  // namespace

result<void> run_builtin_transformer(const file_tree& tree, const kustomization& k, const plugin_config& c,
                                     resmap& ra, const limits& lim, const keep_going& going) {
  const std::string& kind = c.kind;
  if (kind == "LabelTransformer") return pairs(c, "labels", ra);
  if (kind == "AnnotationsTransformer") return pairs(c, "annotations", ra);
  if (kind == "PrefixTransformer") return prefix_suffix(c, true, ra);
  if (kind == "SuffixTransformer") return prefix_suffix(c, false, ra);
  if (kind == "PrefixSuffixTransformer") {
    if (auto r = prefix_suffix(c, true, ra); !r) return r;
    return prefix_suffix(c, false, ra);
  }
  if (kind == "NamespaceTransformer") return set_ns(c, ra);
  if (kind == "ImageTagTransformer") return set_image(c, ra);
  if (kind == "ReplicaCountTransformer") return set_replica_count(c, ra);
  if (kind == "PatchTransformer") return patch(tree, k, c, false, ra, lim, going);
  if (kind == "PatchJson6902Transformer") return patch(tree, k, c, true, ra, lim, going);
  if (kind == "PatchStrategicMergeTransformer") return strategic_merge(tree, k, c, ra, lim, going);
  if (kind == "ReplacementTransformer") return replace(tree, k, c, ra, lim);
  if (kind == "HashTransformer") {
    add_name_hashes(ra);  // now, and as in kustomize once more at the end of the build
    return {};
  }
  if (kind == "ValueAddTransformer")
    return unsupported_error(c.origin, "the built-in ValueAddTransformer is not supported by gitopsd");
  if (is_generator(kind))
    return kustomize_error(c.origin, fmt::format("builtin {} is a generator, not a transformer: list it under "
                                                 "generators", kind));
  return kustomize_error(c.origin, fmt::format("kustomize has no built-in transformer \"{}\"", kind));
}

result<generator_call> read_builtin_generator(const plugin_config& c) {
  const std::string& kind = c.kind;
  if (kind == "IAMPolicyGenerator" || kind == "HelmChartInflationGenerator")
    return unsupported_error(c.origin, fmt::format("the built-in {} is not supported by gitopsd", kind));
  if (kind != "ConfigMapGenerator" && kind != "SecretGenerator")
    return kustomize_error(c.origin, fmt::format("builtin {} is not a generator{}", kind,
                                                 kind.ends_with("Transformer") ? ": list it under transformers" : ""));
  bool secret = kind == "SecretGenerator";
  rapidjson::Document list = entry_of(c.doc, secret ? secret_generator_fields : configmap_generator_fields);
  // The entry's own name and namespace, else the config's metadata ones.
  auto& a = list.GetAllocator();
  for (std::string_view key : {"name", "namespace"}) {
    const value* own = field(list[0], key);
    if (own != nullptr && own->IsString() && own->GetStringLength() > 0) continue;
    auto meta = json::get_string(c.doc, "metadata", std::string(key).c_str());
    if (!meta) continue;
    list[0].RemoveMember(std::string(key).c_str());
    list[0].AddMember(value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a),
                      value(meta->data(), static_cast<rapidjson::SizeType>(meta->size()), a), a);
  }
  auto specs = read_generator_list(list, c.origin, kind, secret);
  if (!specs) return specs.error();
  return generator_call{std::move(specs->front()), secret};
}

}  // namespace gitopsd::render::kustomize
