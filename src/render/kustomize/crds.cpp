// A kustomization's `crds`: files of OpenAPI definitions (kube-openapi's OpenAPIDefinition map,
// name -> {Schema, Dependencies}) from which kustomize derives field specs for custom kinds, as
// LoadConfigFromCRDs in api/internal/accumulator/loadconfigfromcrds.go of kustomize v5.8.1:
// properties marked x-kubernetes-annotation, x-kubernetes-label-selector, x-kubernetes-identity,
// or x-kubernetes-object-ref-api-version with x-kubernetes-object-ref-kind (a name reference),
// found through `$ref`s to other definitions of the same file.
#include "crds.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

// `$ref` nesting followed from one definition (kustomize recurses without a limit, so a cycle
// crashes it), and properties visited per file (a chain of definitions each referring to the
// next twice would otherwise double the work at every step).
constexpr std::size_t max_crd_ref_depth = 64;
constexpr std::size_t max_crd_visits = 100'000;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct crd_reader {
  const std::string& file;
  std::map<std::string, const value*, std::less<>> schemas;  // definition name -> its Schema
  std::size_t visits = 0;

  error bad(const std::string& what) const {
    return kustomize_error(file, fmt::format("unable to parse open API definition: {}", what));
  }

  // encoding/json into map[string]OpenAPIDefinition: field names match without case, and the
  // types gitopsd reads must be right.
  result<void> read(const value& doc) {
    if (doc.IsNull()) return {};
    if (!doc.IsObject()) return bad("the document must be a map of definitions");
    for (const auto& d : doc.GetObject()) {
      std::string name(json::view(d.name));
      if (d.value.IsNull()) continue;
      if (!d.value.IsObject()) return bad(fmt::format("definition \"{}\" must be a map", name));
      const value* schema = nullptr;
      for (const auto& f : d.value.GetObject()) {
        std::string_view key = json::view(f.name);
        if (iequals(key, "schema")) {
          if (!f.value.IsObject() && !f.value.IsNull())
            return bad(fmt::format("definition \"{}\": Schema must be a map", name));
          schema = f.value.IsObject() ? &f.value : nullptr;
        } else if (iequals(key, "dependencies")) {
          bool ok = f.value.IsNull() || (f.value.IsArray() && std::all_of(f.value.Begin(), f.value.End(),
                                                                          [](const value& v) { return v.IsString(); }));
          if (!ok) return bad(fmt::format("definition \"{}\": Dependencies must be a list of strings", name));
        }
      }
      if (schema != nullptr) {
        if (auto r = check_properties(*schema, name); !r) return r;
      }
      schemas[name] = schema;
    }
    return {};
  }

  result<void> check_properties(const value& schema, const std::string& name) const {
    const value* props = json::find(schema, "properties");
    if (props == nullptr || props->IsNull()) return {};
    if (!props->IsObject()) return bad(fmt::format("definition \"{}\": properties must be a map", name));
    for (const auto& p : props->GetObject()) {
      if (!p.value.IsObject() && !p.value.IsNull())
        return bad(fmt::format("definition \"{}\": property \"{}\" must be a map", name, json::view(p.name)));
      const value* ref = p.value.IsObject() ? json::find(p.value, "$ref") : nullptr;
      if (ref != nullptr && !ref->IsString() && !ref->IsNull())
        return bad(fmt::format("definition \"{}\": property \"{}\": $ref must be a string", name, json::view(p.name)));
    }
    return {};
  }

  static const value* properties(const value* schema) {
    const value* props = schema != nullptr ? json::find(*schema, "properties") : nullptr;
    return props != nullptr && props->IsObject() ? props : nullptr;
  }

  // kustomize's looksLikeAk8sType.
  static bool looks_like_object(const value* schema) {
    const value* props = properties(schema);
    return props != nullptr && json::find(*props, "kind") && json::find(*props, "apiVersion") &&
           json::find(*props, "metadata");
  }

  // loadCrdIntoConfig, with an explicit stack of (definition, path) instead of recursion.
  result<void> load(transformer_config& tc, const std::string& kind, const std::string& root) {
    gvk owner{"", "", kind};
    std::vector<std::pair<std::string, std::vector<std::string>>> todo{{root, {}}};
    while (!todo.empty()) {
      auto [name, path] = std::move(todo.back());
      todo.pop_back();
      auto it = schemas.find(name);
      if (it == schemas.end()) continue;
      const value* props = properties(it->second);
      if (props == nullptr) continue;
      for (const auto& p : props->GetObject()) {
        if (++visits > max_crd_visits)
          return make_error(errc::limit_exceeded, fmt::format("{}: more than {} properties visited through $ref",
                                                              file, max_crd_visits));
        if (!p.value.IsObject()) continue;
        std::vector<std::string> here = path;
        here.emplace_back(json::view(p.name));
        auto spec = [&](std::vector<std::string> fields) {
          std::string joined;
          for (const auto& f : fields) joined += (joined.empty() ? "" : "/") + f;
          return field_spec{owner, joined, false};
        };
        auto has = [&](const char* ext) { return json::get_string(p.value, ext).has_value(); };
        result<void> r;
        if (has("x-kubernetes-annotation")) r = merge_spec(tc.common_annotations, spec(here), "commonAnnotations");
        if (r && has("x-kubernetes-label-selector")) r = merge_spec(tc.common_labels, spec(here), "commonLabels");
        if (r && has("x-kubernetes-identity")) r = merge_spec(tc.name_prefix, spec(here), "namePrefix");
        auto version = json::get_string(p.value, "x-kubernetes-object-ref-api-version");
        auto ref_kind = json::get_string(p.value, "x-kubernetes-object-ref-kind");
        if (r && version && ref_kind) {
          auto key = json::get_string(p.value, "x-kubernetes-object-ref-name-key");
          std::vector<std::string> at = here;
          at.emplace_back(key ? *key : "name");
          transformer_config one;
          one.name_reference.push_back({{"", std::string(*version), std::string(*ref_kind)}, {spec(at)}});
          r = merge_config(tc, one);
        }
        if (!r) return r.error().wrap(file);
        auto ref = json::get_string(p.value, "$ref");
        if (ref && !ref->empty()) {
          if (here.size() > max_crd_ref_depth)
            return kustomize_error(file, fmt::format("$refs nested more than {} deep from \"{}\" (a cycle?)",
                                                     max_crd_ref_depth, root));
          todo.emplace_back(std::string(*ref), std::move(here));
        }
      }
    }
    return {};
  }
};

}  // namespace

result<transformer_config> load_crds_config(const file_tree& tree, const kustomization& k, const limits& lim) {
  transformer_config total;
  for (const auto& entry : k.crds) {
    auto path = file_in_root(k, entry, "crds file");
    if (!path) return path.error();
    auto text = tree.read(*path);
    if (!text) return kustomize_error(k.file, fmt::format("crds file \"{}\": {}", entry, text.error().what()));
    if (text->empty()) return kustomize_error(*path, "unable to parse open API definition: the file is empty");
    auto docs = decode_documents(*text, *path, lim);
    if (!docs) return docs.error();
    crd_reader reader{*path, {}};
    if (!docs->empty())
      if (auto r = reader.read((*docs)[0]); !r) return r.error();
    transformer_config one;
    for (const auto& [name, schema] : reader.schemas) {
      if (!crd_reader::looks_like_object(schema)) continue;
      std::string kind = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
      if (auto r = reader.load(one, kind, name); !r) return r.error();
    }
    if (auto merged = merge_config(total, one); !merged) return merged.error().wrap(*path);
  }
  return total;
}

}  // namespace gitopsd::render::kustomize
