#include "fieldspec.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <map>

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

int kind_rank(const std::string& kind) {
  static const std::map<std::string, int, std::less<>> ranks = [] {
    const char* first[] = {"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
                           "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
                           "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
                           "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
                           "StatefulSet", "CronJob", "PodDisruptionBudget"};
    std::map<std::string, int, std::less<>> m;
    int n = static_cast<int>(std::size(first));
    for (int i = 0; i < n; ++i) m[first[i]] = -n + i;
    m["MutatingWebhookConfiguration"] = 1;
    m["ValidatingWebhookConfiguration"] = 2;
    return m;
  }();
  auto it = ranks.find(kind);
  return it == ranks.end() ? 0 : it->second;
}

std::string gvk_sort_key(const gvk& g) {
  return (g.group.empty() ? "~G" : g.group) + "_" + (g.version.empty() ? "~V" : g.version) + "_" +
         (g.kind.empty() ? "~K" : g.kind);
}

bool gvk_less(const gvk& x, const gvk& y) {
  int rx = kind_rank(x.kind), ry = kind_rank(y.kind);
  if (rx != ry) return rx < ry;
  return gvk_sort_key(x) < gvk_sort_key(y);
}

namespace {

// kustomize's path splitter: "/" separates, a segment ending in "\\" takes the next one with the
// slash, and one leading slash is dropped.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  while (true) {
    auto slash = path.find('/', from);
    parts.emplace_back(path.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from));
    if (slash == std::string_view::npos) break;
    from = slash + 1;
  }
  if (parts.size() > 1 && parts.front().empty()) parts.erase(parts.begin());
  std::vector<std::string> segs;
  for (auto& part : parts) {
    if (!segs.empty() && segs.back().ends_with('\\')) {
      segs.back().back() = '/';
      segs.back() += part;
    } else {
      segs.push_back(std::move(part));
    }
  }
  return segs;
}

struct walker {
  const std::vector<std::string>& segs;
  create_as create;
  alloc_t& a;
  const std::function<result<void>(rapidjson::Value&)>& fn;

  result<void> walk(rapidjson::Value& node, std::size_t i) {
    if (i == segs.size()) return fn(node);
    if (node.IsNull()) return {};
    if (node.IsArray()) {
      for (auto& item : node.GetArray())
        if (auto r = walk(item, i); !r) return r;
      return {};
    }
    if (!node.IsObject()) return make_error(errc::invalid_kustomization, "expected sequence or mapping node");
    std::string_view key = segs[i];
    bool list = key.ends_with("[]");  // a list: walked, never created
    if (list) key.remove_suffix(2);
    if (key.empty()) return make_error(errc::invalid_kustomization, "cannot set or create an empty field name");
    bool last = i + 1 == segs.size();
    rapidjson::Value name(rapidjson::StringRef(key.data(), key.size()));  // not NUL-terminated here
    auto it = node.FindMember(name);
    if (create == create_as::nothing || list) {
      if (it == node.MemberEnd()) return {};
      if (list && it->value.IsNull()) it->value.SetArray();
      return walk(it->value, i + 1);
    }
    bool as_map = !last || create == create_as::map;
    if (it == node.MemberEnd()) {
      rapidjson::Value fresh = as_map ? rapidjson::Value(rapidjson::kObjectType) : rapidjson::Value("", a);
      node.AddMember(rapidjson::Value(key.data(), static_cast<rapidjson::SizeType>(key.size()), a), fresh, a);
      it = node.MemberEnd() - 1;
    } else if (as_map && it->value.IsNull()) {
      it->value.SetObject();
    }
    return walk(it->value, i + 1);
  }
};

}  // namespace

result<void> visit_path(rapidjson::Value& object, std::string_view path, create_as create, alloc_t& a,
                        const std::function<result<void>(rapidjson::Value&)>& fn) {
  auto segs = split_path(path);
  return walker{segs, create, a, fn}.walk(object, 0);
}

}  // namespace gitopsd::render::kustomize
