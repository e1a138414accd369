// Turning decoded documents into manifests: List expansion and the fields every object needs.
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/render.hpp"

#include <fmt/format.h>

namespace gitopsd::render {
namespace {

result<void> check_object(const rapidjson::Value& v, const std::string& origin) {
  if (!v.IsObject()) return make_error(errc::invalid_manifest, fmt::format("{}: not an object", origin));
  for (const char* field : {"apiVersion", "kind"}) {
    auto s = json::get_string(v, field);
    if (!s || s->empty())
      return make_error(errc::invalid_manifest, fmt::format("{}: missing {}", origin, field));
  }
  if (auto ok = check_namespace(v, origin); !ok) return ok;
  auto name = json::get_string(v, "metadata", "name");
  if (!name || name->empty()) {
    // Server-side apply addresses an object by its name; the API server only generates one on create.
    if (auto generate = json::get_string(v, "metadata", "generateName"); generate && !generate->empty())
      return make_error(errc::invalid_manifest,
                        fmt::format("{}: objects with generateName cannot be applied server-side; give it a name",
                                    origin));
    return make_error(errc::invalid_manifest, fmt::format("{}: missing metadata.name", origin));
  }
  return {};
}

}  // namespace

result<void> check_namespace(const rapidjson::Value& object, std::string_view origin) {
  const rapidjson::Value* ns = json::find(object, "metadata", "namespace");
  if (ns == nullptr || ns->IsNull() || ns->IsString()) return {};
  // kubectl refuses it too; applying it into a default namespace would put it somewhere unasked.
  const char* type = ns->IsBool() ? "a boolean" : ns->IsNumber() ? "a number" : ns->IsArray() ? "a list" : "a map";
  return make_error(errc::invalid_manifest,
                    fmt::format("{}: metadata.namespace must be a string, not {} (quote it)", origin, type));
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

result<std::vector<manifest>> read_manifests(std::string_view text, std::string_view file, const limits& lim) {
  std::vector<written_scalars> written;
  auto docs = decode_documents(text, file, lim, lim.rules == yaml_rules::kustomize ? &written : nullptr);
  if (!docs) return docs.error();
  std::vector<manifest> out;
  std::size_t number = 0;
  for (auto& doc : *docs) {
    written_scalars doc_written = number < written.size() ? std::move(written[number]) : written_scalars{};
    ++number;
    std::string origin = fmt::format("{}#{}", file, number);
    // Kubernetes decodes any object with an `items` field as a list and applies its items.
    if (doc.IsObject() && doc.HasMember("items")) {
      auto& items = doc["items"];
      if (!items.IsArray() && !items.IsNull())
        return make_error(errc::invalid_manifest, fmt::format("{}: items is not a list", origin));
      if (items.IsNull()) continue;
      std::size_t i = 0;
      for (auto& item : items.GetArray()) {
        std::string item_origin = fmt::format("{}/items/{}", origin, i++);
        auto ok = check_object(item, item_origin);
        if (!ok) return ok.error();
        manifest m;
        m.object.CopyFrom(item, m.object.GetAllocator());
        m.origin = std::move(item_origin);
        std::string prefix = fmt::format("/items/{}/", i - 1);
        for (auto& w : doc_written)
          if (w.pointer.starts_with(prefix))
            m.written.push_back({w.k, w.pointer.substr(prefix.size() - 1), std::move(w.text)});
        out.push_back(std::move(m));
      }
      continue;
    }
    auto ok = check_object(doc, origin);
    if (!ok) return ok.error();
    out.push_back({std::move(doc), std::move(origin), std::move(doc_written)});
  }
  return out;
}

std::string to_json_list(const std::vector<manifest>& objects) {
  rapidjson::Document list(rapidjson::kObjectType);
  auto& a = list.GetAllocator();
  list.AddMember("apiVersion", "v1", a);
  list.AddMember("kind", "List", a);
  rapidjson::Value items(rapidjson::kArrayType);
  for (const auto& m : objects) items.PushBack(rapidjson::Value(m.object, a), a);
  list.AddMember("items", items, a);
  return json::serialize_pretty(list) + "\n";
}

std::string to_yaml_stream(const std::vector<manifest>& objects) {
  std::string out;
  bool first = true;
  for (const auto& m : objects) {
    if (!first) out += "---\n";
    first = false;
    out += to_yaml(m.object);
  }
  return out;
}

}  // namespace gitopsd::render
