#include "fieldspec.hpp"

#include "gitopsd/core/json.hpp"

namespace gitopsd::render::kustomize {

gvk gvk::of(const rapidjson::Value& object) {
  gvk g;
  std::string_view api = json::get_string(object, "apiVersion").value_or("");
  auto slash = api.find('/');
  if (slash == std::string_view::npos) {
    g.version = std::string(api);
  } else {
    g.group = std::string(api.substr(0, slash));
    g.version = std::string(api.substr(slash + 1));
  }
  g.kind = std::string(json::get_string(object, "kind").value_or(""));
  return g;
}

bool gvk::selected_by(const gvk& s) const {
  return (s.group.empty() || s.group == group) && (s.version.empty() || s.version == version) &&
         (s.kind.empty() || s.kind == kind);
}

namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segs(1);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '\\' && i + 1 < path.size() && path[i + 1] == '/') {
      segs.back() += '/';
      ++i;
    } else if (path[i] == '/') {
      segs.emplace_back();
    } else {
      segs.back() += path[i];
    }
  }
  for (auto& s : segs)
    if (s.size() > 2 && s.compare(s.size() - 2, 2, "[]") == 0) s.resize(s.size() - 2);
  return segs;
}

void walk(rapidjson::Value& node, const std::vector<std::string>& segs, std::size_t i, bool create, alloc_t& a,
          const std::function<void(rapidjson::Value&, rapidjson::Value&)>& fn) {
  if (node.IsArray()) {
    for (auto& item : node.GetArray()) walk(item, segs, i, create, a, fn);
    return;
  }
  if (!node.IsObject()) return;
  const std::string& key = segs[i];
  auto it = node.FindMember(rapidjson::StringRef(key.data(), key.size()));
  bool last = i + 1 == segs.size();
  if (it == node.MemberEnd()) {
    if (!create) return;
    node.AddMember(rapidjson::Value(key.c_str(), a), last ? rapidjson::Value() : rapidjson::Value(rapidjson::kObjectType), a);
    it = node.MemberEnd() - 1;
  } else if (!last && it->value.IsNull()) {
    if (!create) return;
    it->value.SetObject();
  }
  if (last) {
    fn(node, it->value);
    return;
  }
  walk(it->value, segs, i + 1, create, a, fn);
}

}  // namespace

void visit_path(rapidjson::Value& object, std::string_view path, bool create, alloc_t& a,
                const std::function<void(rapidjson::Value&, rapidjson::Value&)>& fn) {
  auto segs = split_path(path);
  walk(object, segs, 0, create, a, fn);
}

}  // namespace gitopsd::render::kustomize
