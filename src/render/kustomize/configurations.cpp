// Reading the files a kustomization lists under `configurations`. kustomize decodes them strictly
// (sigs.k8s.io/yaml, then encoding/json refusing unknown fields), from the first document only.
#include "field_names.hpp"
#include "transformer_config.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace gitopsd::render::kustomize {
namespace {

using value = rapidjson::Value;

// encoding/json: a null leaves the field as it was.
result<void> read_string(const value& v, std::string& out, const std::string& file, std::string_view field) {
  if (v.IsNull()) return {};
  if (!v.IsString()) return kustomize_error(file, fmt::format("field \"{}\" must be a string", field));
  out = std::string(json::view(v));
  return {};
}

result<field_spec> read_field_spec(const value& v, const std::string& file, std::string_view where) {
  field_spec fs;
  if (v.IsNull()) return fs;  // an empty entry: kustomize keeps it, with an empty path
  if (!v.IsObject()) return kustomize_error(file, fmt::format("each entry of \"{}\" must be a map", where));
  for (const auto& m : v.GetObject()) {
    auto name = match_field(json::view(m.name), {"group", "version", "kind", "path", "create"});
    if (!name)
      return kustomize_error(file, fmt::format("unknown field \"{}\" in {}", json::view(m.name), where));
    std::string field = fmt::format("{}.{}", where, *name);
    result<void> r;
    if (*name == "group") r = read_string(m.value, fs.selector.group, file, field);
    else if (*name == "version") r = read_string(m.value, fs.selector.version, file, field);
    else if (*name == "kind") r = read_string(m.value, fs.selector.kind, file, field);
    else if (*name == "path") r = read_string(m.value, fs.path, file, field);
    else if (m.value.IsBool()) fs.create = m.value.GetBool();
    else if (!m.value.IsNull()) r = kustomize_error(file, fmt::format("field \"{}\" must be true or false", field));
    if (!r) return r.error();
  }
  return fs;
}

result<std::vector<name_back_refs>> read_name_references(const value& v, const std::string& file) {
  std::vector<name_back_refs> out;
  if (v.IsNull()) return out;
  if (!v.IsArray()) return kustomize_error(file, "field \"nameReference\" must be a list");
  if (v.Size() > max_field_specs)
    return make_error(errc::limit_exceeded,
                      fmt::format("{}: field \"nameReference\" has more than {} entries", file, max_field_specs));
  for (const auto& item : v.GetArray()) {
    name_back_refs& refs = out.emplace_back();
    if (item.IsNull()) continue;
    if (!item.IsObject()) return kustomize_error(file, "each entry of \"nameReference\" must be a map");
    for (const auto& m : item.GetObject()) {
      auto name = match_field(json::view(m.name), {"group", "version", "kind", "fieldSpecs"});
      if (!name)
        return kustomize_error(file, fmt::format("unknown field \"{}\" in nameReference", json::view(m.name)));
      std::string field = fmt::format("nameReference.{}", *name);
      result<void> r;
      if (*name == "group") r = read_string(m.value, refs.target.group, file, field);
      else if (*name == "version") r = read_string(m.value, refs.target.version, file, field);
      else if (*name == "kind") r = read_string(m.value, refs.target.kind, file, field);
      else if (auto specs = read_field_specs(m.value, file, field)) refs.referrers = std::move(*specs);
      else r = specs.error();
      if (!r) return r.error();
    }
  }
  return out;
}

result<transformer_config> read_config(const value& doc, const std::string& file) {
  transformer_config t;
  if (doc.IsNull()) return t;
  if (!doc.IsObject()) return kustomize_error(file, "a transformer configuration must be a map");
  std::vector<std::string_view> known;
  for (const auto& [name, list] : spec_lists()) known.push_back(name);
  for (const auto& m : doc.GetObject()) {
    std::string_view key = json::view(m.name);
    if (match_field(key, {"nameReference"})) {
      auto refs = read_name_references(m.value, file);
      if (!refs) return refs.error();
      t.name_reference = std::move(*refs);
      continue;
    }
    auto it = std::find_if(spec_lists().begin(), spec_lists().end(),
                           [&](const auto& entry) { return match_field(key, {entry.first}).has_value(); });
    if (it == spec_lists().end())
      return kustomize_error(file, fmt::format("unknown field \"{}\" in the transformer configuration", key));
    auto specs = read_field_specs(m.value, file, it->first);
    if (!specs) return specs.error();
    t.*(it->second) = std::move(*specs);
  }
  return t;
}

}  // namespace

result<std::vector<field_spec>> read_field_specs(const value& v, const std::string& file, std::string_view where) {
  std::vector<field_spec> out;
  if (v.IsNull()) return out;
  if (!v.IsArray()) return kustomize_error(file, fmt::format("field \"{}\" must be a list", where));
  if (v.Size() > max_field_specs)
    return make_error(errc::limit_exceeded,
                      fmt::format("{}: field \"{}\" has more than {} field specs", file, where, max_field_specs));
  for (const auto& item : v.GetArray()) {
    auto fs = read_field_spec(item, file, where);
    if (!fs) return fs.error();
    out.push_back(std::move(*fs));
  }
  return out;
}

result<transformer_config> load_config(const file_tree& tree, const kustomization& k, const limits& lim) {
  if (k.configurations.empty()) return builtin_config();
  transformer_config custom;
  for (const auto& entry : k.configurations) {
    auto file = read_named_file(tree, k, entry, "configurations file");
    if (!file) return file.error();
    auto docs = decode_documents(file->content, file->path, lim);
    if (!docs) return docs.error();
    transformer_config one;
    if (!docs->empty()) {
      auto read = read_config((*docs)[0], file->path);
      if (!read) return read.error();
      one = std::move(*read);
      sort_config(one);
    }
    if (auto merged = merge_config(custom, one); !merged) return merged.error().wrap(file->path);
  }
  transformer_config t = builtin_config();
  if (auto merged = merge_config(t, custom); !merged) return merged.error().wrap(k.file);
  return t;
}

}  // namespace gitopsd::render::kustomize
