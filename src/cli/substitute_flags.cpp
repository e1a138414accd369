#include "gitopsd/cli/substitute_flags.hpp"

#include "gitopsd/core/errc.hpp"
#include "gitopsd/core/json.hpp"
#include "gitopsd/render/yaml.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace gitopsd::cli {
namespace {

bool yaml_name(std::string_view name) {
  for (std::string_view ext : {".yaml", ".yml", ".json"})
    if (name.ends_with(ext)) return true;
  return false;
}

result<void> add(render::variables& vars, std::string key, std::string_view value, std::string_view where) {
  if (!render::valid_variable_name(key))
    return make_error(core::errc::wrong_type, fmt::format("{}: '{}' var name is invalid, must match '{}'", where, key,
                                                          render::variable_name_rule));
  vars[std::move(key)] = render::variable_value(value);
  return {};
}

}  // namespace

result<std::pair<std::string, std::string>> parse_variable_flag(std::string_view flag) {
  auto eq = flag.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return make_error(core::errc::wrong_type, fmt::format("--substitute \"{}\": expected KEY=VALUE", flag.substr(0, flag.find('='))));
  return std::pair{std::string(flag.substr(0, eq)), std::string(flag.substr(eq + 1))};
}

result<render::variables> parse_variables_file(std::string_view text, std::string_view name) {
  render::variables vars;
  if (yaml_name(name)) {
    auto docs = render::decode_documents(text, name);
    if (!docs) return docs.error();
    if (docs->empty()) return vars;
    if (docs->size() != 1 || !(*docs)[0].IsObject())
      return make_error(core::errc::wrong_type, fmt::format("{}: expected one map of variable names to strings", name));
    for (const auto& m : (*docs)[0].GetObject()) {
      std::string key(json::view(m.name));
      if (!m.value.IsString())
        return make_error(core::errc::wrong_type, fmt::format("{}: the value of {} is not a string (quote it)", name, key));
      if (auto ok = add(vars, key, json::view(m.value), name); !ok) return ok.error();
    }
    return vars;
  }
  std::size_t b = 0, line = 0;
  while (b < text.size()) {
    auto e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string_view l = text.substr(b, e - b);
    b = e + 1;
    ++line;
    if (l.ends_with('\r')) l.remove_suffix(1);
    auto first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos || l[first] == '#') continue;
    auto eq = l.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return make_error(core::errc::wrong_type, fmt::format("{}:{}: expected KEY=VALUE", name, line));
    if (auto ok = add(vars, std::string(l.substr(0, eq)), l.substr(eq + 1), fmt::format("{}:{}", name, line)); !ok)
      return ok.error();
  }
  return vars;
}

result<render::substitution> substitution_from_flags(const std::vector<std::string>& pairs,
                                                     const std::vector<std::string>& files, bool strict) {
  render::substitution s;
  s.strict = strict;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return make_error(core::errc::missing_field, fmt::format("{}: cannot be read", file));
    std::stringstream text;
    text << in.rdbuf();
    auto vars = parse_variables_file(text.str(), file);
    if (!vars) return vars.error();
    for (auto& [k, v] : *vars) s.vars[k] = std::move(v);
  }
  for (const auto& p : pairs) {
    auto kv = parse_variable_flag(p);
    if (!kv) return kv.error();
    if (auto ok = add(s.vars, kv->first, kv->second, "--substitute"); !ok) return ok.error();
  }
  return s;
}

}  // namespace gitopsd::cli
