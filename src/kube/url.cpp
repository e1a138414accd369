#include "gitopsd/kube/url.hpp"

namespace gitopsd::kube {

std::string escape(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

std::string group_version_path(std::string_view group, std::string_view version) {
  if (group.empty()) return "/api/" + escape(version);
  return "/apis/" + escape(group) + "/" + escape(version);
}

std::string build_path(const resource_path& p) {
  std::string out = group_version_path(p.group, p.version);
  if (!p.namespace_.empty()) out += "/namespaces/" + escape(p.namespace_);
  out += "/" + escape(p.plural);
  if (!p.name.empty()) out += "/" + escape(p.name);
  if (!p.subresource.empty()) out += "/" + escape(p.subresource);
  return out;
}

query& query::add(std::string_view key, std::string_view value) {
  items_.emplace_back(std::string(key), std::string(value));
  return *this;
}

std::string query::str() const {
  std::string out;
  for (const auto& [k, v] : items_) {
    out += out.empty() ? '?' : '&';
    out += escape(k);
    out += '=';
    out += escape(v);
  }
  return out;
}

}  // namespace gitopsd::kube
