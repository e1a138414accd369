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
#include <cctype>
#include <map>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

// `$ref` nesting followed from one definition (kustomize recurses without a limit, so a cycle
// crashes it), and properties visited per file (a chain of definitions each referring to the
// next twice would otherwise double the work at every step).
constexpr std::size_t max_crd_ref_depth = 64;
constexpr std::size_t max_crd_visits = 100'000;
// Bytes of field spec paths per file: each may repeat its long names up to the depth limit.
constexpr std::size_t max_crd_spec_bytes = 16U << 20U;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

struct crd_reader {
  const std::string& file;
  std::map<std::string, const value*, std::less<>> schemas;  // definition name -> its Schema
  std::size_t visits = 0, spec_bytes = 0;

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

  // loadCrdIntoConfig, walked with an explicit stack. A property's path is a node with its parent's
  // index and its name (a view into the document), joined only for a field spec: copying whole
  // paths per entry let a small file with wide self-references take gigabytes.
  result<void> load(transformer_config& tc, const std::string& kind, const std::string& root) {
    gvk owner{"", "", kind};
    struct node {
      std::size_t parent;
      std::string_view name;
    };
    struct entry {
      std::string_view def;
      std::size_t at;  // the node of the property that referred to `def`; npos at the root
      std::size_t depth;
    };
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    std::vector<node> nodes;
    std::vector<entry> todo{{root, none, 0}};
    transformer_config found;
    std::map<std::pair<std::string_view, std::string_view>, std::size_t> ref_groups;
    std::size_t specs = 0;
    auto spec = [&](std::size_t at, std::string_view last) -> result<field_spec> {
      std::size_t size = last.size();
      for (std::size_t i = at; i != none; i = nodes[i].parent) size += nodes[i].name.size() + 1;
      if (++specs > max_field_specs)
        return make_error(errc::limit_exceeded, fmt::format("{}: more than {} field specs", file, max_field_specs));
      if ((spec_bytes += size) > max_crd_spec_bytes)
        return make_error(errc::limit_exceeded, fmt::format("{}: field spec paths longer than {} bytes in all", file,
                                                            max_crd_spec_bytes));
      std::string joined(size, '/');
      std::size_t end = size - last.size();
      joined.replace(end, last.size(), last);
      for (std::size_t i = at; i != none; i = nodes[i].parent) {
        end -= nodes[i].name.size() + 1;
        joined.replace(end, nodes[i].name.size(), nodes[i].name);
      }
      return field_spec{owner, std::move(joined), false};
    };
    while (!todo.empty()) {
      entry e = todo.back();
      todo.pop_back();
      auto it = schemas.find(e.def);
      if (it == schemas.end()) continue;
      const value* props = properties(it->second);
      if (props == nullptr) continue;
      for (const auto& p : props->GetObject()) {
        if (++visits > max_crd_visits)
          return make_error(errc::limit_exceeded, fmt::format("{}: more than {} properties visited through $ref",
                                                              file, max_crd_visits));
        if (!p.value.IsObject()) continue;
        std::string_view name = json::view(p.name);
        auto has = [&](const char* ext) { return json::get_string(p.value, ext).has_value(); };
        for (auto [ext, list] : {std::pair{"x-kubernetes-annotation", &transformer_config::common_annotations},
                                 std::pair{"x-kubernetes-label-selector", &transformer_config::common_labels},
                                 std::pair{"x-kubernetes-identity", &transformer_config::name_prefix}}) {
          if (!has(ext)) continue;
          auto s = spec(e.at, name);
          if (!s) return s.error();
          (found.*list).push_back(std::move(*s));
        }
        auto version = json::get_string(p.value, "x-kubernetes-object-ref-api-version");
        auto ref_kind = json::get_string(p.value, "x-kubernetes-object-ref-kind");
        auto ref = json::get_string(p.value, "$ref");
        bool follow = ref && !ref->empty();
        if (!follow && !(version && ref_kind)) continue;
        nodes.push_back({e.at, name});
        std::size_t here = nodes.size() - 1;
        if (version && ref_kind) {
          auto key = json::get_string(p.value, "x-kubernetes-object-ref-name-key");
          auto s = spec(here, key ? *key : "name");
          if (!s) return s.error();
          auto [group, fresh] = ref_groups.try_emplace({*version, *ref_kind}, found.name_reference.size());
          if (fresh) found.name_reference.push_back({{"", std::string(*version), std::string(*ref_kind)}, {}});
          found.name_reference[group->second].referrers.push_back(std::move(*s));
        }
        if (!follow) continue;
        if (e.depth + 1 > max_crd_ref_depth)
          return kustomize_error(file, fmt::format("$refs nested more than {} deep from \"{}\" (a cycle?)",
                                                   max_crd_ref_depth, root));
        todo.push_back({*ref, here, e.depth + 1});
      }
    }
    if (auto r = merge_config(tc, found); !r) return r.error().wrap(file);
    return {};
  }
};

}  // namespace

result<transformer_config> load_crds_config(const file_tree& tree, const kustomization& k, const limits& lim) {
  transformer_config total;
  for (const auto& entry : k.crds) {
    auto file = read_named_file(tree, k, entry, "crds file");
    if (!file) return file.error();
    const std::string& path = file->path;
    if (file->content.empty()) return kustomize_error(path, "unable to parse open API definition: the file is empty");
    auto docs = decode_documents(file->content, path, lim);
    if (!docs) return docs.error();
    crd_reader reader{path, {}};
    if (!docs->empty())
      if (auto r = reader.read((*docs)[0]); !r) return r.error();
    transformer_config one;
    for (const auto& [name, schema] : reader.schemas) {
      if (!crd_reader::looks_like_object(schema)) continue;
      std::string kind = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
      if (auto r = reader.load(one, kind, name); !r) return r.error();
    }
    if (auto merged = merge_config(total, one); !merged) return merged.error().wrap(path);
  }
  return total;
}

}  // namespace gitopsd::render::kustomize
