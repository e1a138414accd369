// configMapGenerator and secretGenerator: literals, files and env files turned into objects.
#include "generators.hpp"

#include "../growth_guard.hpp"

#include "gitopsd/core/disk_tree.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

namespace gitopsd::render::kustomize {
namespace {

std::string base64(std::string_view in) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
             (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8) |
             static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += table[(n >> 6) & 63];
    out += table[n & 63];
  }
  if (i + 1 == in.size()) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16) |
             (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += table[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t j = 1; j < len; ++j)
      if ((static_cast<unsigned char>(s[i + j]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

bool valid_key(std::string_view k) {
  if (k.empty() || k.size() > 253 || k == "." || k == "..") return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return true;
}

struct entry {
  std::string key, value;
  bool from_file = false;
};

result<std::string> read_relative(const file_tree& tree, const kustomization& k, const std::string& path) {
  const std::string& file = k.file;
  auto norm = file_in_root(k, path, "file");
  if (!norm) return norm.error();
  // As kustomize does, the file's real path (symlinks resolved) must be in the real folder too:
  // a link to /etc/passwd or to a sibling folder is refused, one inside the folder is read.
  auto real = tree.real_path(*norm);
  if (!real) return kustomize_error(file, fmt::format("cannot read \"{}\": {}", path, real.error().what()));
  // With --load-restrictor none any file of the tree may be read: its real path must only stay in the tree.
  auto real_dir = tree.real_path(k.load_anywhere ? std::string() : k.dir);
  if (!real_dir) return kustomize_error(file, fmt::format("cannot read \"{}\": {}", path, real_dir.error().what()));
  if (!below(*real_dir, *real))
    return kustomize_error(file, fmt::format("file \"{}\" is a link to \"{}\", outside the kustomization's folder "
                                             "\"{}\", which kustomize does not allow (security)",
                                             path, *real, *real_dir));
  auto text = tree.read(*norm);
  if (!text) return kustomize_error(file, fmt::format("cannot read \"{}\": {}", path, text.error().what()));
  return *text;
}

std::string strip_quotes(std::string s) {
  if (s.size() >= 2 && s.front() == s.back() && (s.front() == '"' || s.front() == '\'')) return s.substr(1, s.size() - 2);
  return s;
}

result<std::vector<entry>> collect(const file_tree& tree, const kustomization& k, const generator_spec& g) {
  std::vector<entry> out;
  for (const auto& env : g.envs) {
    auto text = read_relative(tree, k, env);
    if (!text) return text.error();
    detail::guard_bytes(2 * text->size(), fmt::format("{}: envs {}", k.file, env));  // the text, and its values
    std::string_view t = *text;
    if (t.starts_with("\xEF\xBB\xBF")) t.remove_prefix(3);
    std::size_t line_no = 0;
    while (!t.empty()) {
      auto nl = t.find('\n');
      std::string line(t.substr(0, nl));
      t = nl == std::string_view::npos ? std::string_view{} : t.substr(nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::size_t start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == '#') continue;
      // Since v5.0 kustomize gives a line without `=` the empty value; it never reads the environment.
      auto eq = line.find('=');
      std::string key = line.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
      if (!valid_key(key))
        return kustomize_error(k.file, fmt::format("{} line {}: invalid key \"{}\"", env, line_no, key));
      out.push_back({key, eq == std::string::npos ? std::string() : line.substr(eq + 1)});
    }
  }
  for (const auto& lit : g.literals) {
    auto eq = lit.find('=');
    if (eq == std::string::npos)
      return kustomize_error(k.file, fmt::format("invalid literal \"{}\", expected key=value", lit));
    out.push_back({lit.substr(0, eq), strip_quotes(lit.substr(eq + 1))});
  }
  for (const auto& f : g.files) {
    std::string key, path = f;
    if (auto eq = f.find('='); eq != std::string::npos) {
      key = f.substr(0, eq);
      path = f.substr(eq + 1);
    } else {
      auto slash = f.rfind('/');
      key = slash == std::string::npos ? f : f.substr(slash + 1);
    }
    auto text = read_relative(tree, k, path);
    if (!text) return text.error();
    detail::guard_bytes(2 * text->size(), fmt::format("{}: files {}", k.file, path));  // may be listed many times
    out.push_back({key, *text, true});
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (!valid_key(out[i].key))
      return kustomize_error(k.file, fmt::format("{} \"{}\": invalid key \"{}\"", g.type.empty() ? "configMapGenerator" : "secretGenerator", g.name, out[i].key));
    for (std::size_t j = 0; j < i; ++j)
      if (out[j].key == out[i].key)
        return kustomize_error(k.file, fmt::format("generator \"{}\": key \"{}\" is given twice", g.name, out[i].key));
  }
  return out;
}

void set_pairs(rapidjson::Value& meta, const char* field, const string_pairs& global, const string_pairs& own,
               alloc_t& a) {
  if (global.empty() && own.empty()) return;
  auto& map = json::ensure_object(meta, field, a);
  for (const auto& [k, v] : global) json::set_string(map, k, v, a);
  for (const auto& [k, v] : own) json::set_string(map, k, v, a);
}

}  // namespace

result<resource> generate(const file_tree& tree, const kustomization& k, const generator_spec& g, bool secret) {
  auto entries = collect(tree, k, g);
  if (!entries) return entries.error();
  resource r;
  auto& obj = r.obj;
  obj.SetObject();
  auto& a = obj.GetAllocator();
  obj.AddMember("apiVersion", "v1", a);
  obj.AddMember("kind", rapidjson::StringRef(secret ? "Secret" : "ConfigMap"), a);
  rapidjson::Value meta(rapidjson::kObjectType);
  json::set_string(meta, "name", g.name, a);
  if (!g.ns.empty()) json::set_string(meta, "namespace", g.ns, a);
  set_pairs(meta, "labels", k.generator_opts.labels, g.options.labels, a);
  set_pairs(meta, "annotations", k.generator_opts.annotations, g.options.annotations, a);
  obj.AddMember("metadata", meta, a);
  if (secret) json::set_string(obj, "type", g.type.empty() ? "Opaque" : g.type, a);
  rapidjson::Value data(rapidjson::kObjectType), binary(rapidjson::kObjectType);
  for (const auto& e : *entries) {
    if (secret) json::set_string(data, e.key, base64(e.value), a);
    else if (e.from_file && !valid_utf8(e.value)) json::set_string(binary, e.key, base64(e.value), a);
    else json::set_string(data, e.key, e.value, a);
  }
  // kustomize creates a Secret's data map before filling it, a ConfigMap's with its first key.
  if (secret || data.MemberCount() > 0) obj.AddMember("data", data, a);
  if (binary.MemberCount() > 0) obj.AddMember("binaryData", binary, a);
  // A global option set to true wins over the generator's own false (kustomize ORs them).
  bool immutable = g.options.immutable.value_or(false) || k.generator_opts.immutable.value_or(false);
  if (immutable) obj.AddMember("immutable", true, a);
  r.needs_hash = !(g.options.disable_hash.value_or(false) || k.generator_opts.disable_hash.value_or(false));
  r.generated = true;
  r.origin = fmt::format("{} ({} {})", k.file, secret ? "secretGenerator" : "configMapGenerator", g.name);
  return r;
}

}  // namespace gitopsd::render::kustomize
