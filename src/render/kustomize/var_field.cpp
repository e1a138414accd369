// Reading a var's field as kustomize does: kyaml's path lookup, then the node's text read by its
// tag (RNode.GetFieldValue): strings and untyped nodes as written, int with strconv.Atoi.
#include "vars.hpp"

#include "go_float.hpp"

#include "../yaml_scalar.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace gitopsd::render::kustomize {

using value = rapidjson::Value;

namespace {

// Go's strconv.Atoi: an optional sign and decimal digits, within 64 bits.
std::optional<std::int64_t> go_atoi(std::string_view s) {
  std::string_view digits = s;
  bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) digits.remove_prefix(1);
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  constexpr auto max = static_cast<std::uint64_t>(INT64_MAX);
  if (n > max + (negative ? 1 : 0)) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - n) : static_cast<std::int64_t>(n);
}

// The path's parts as kustomize splits a var's fieldpath (utils.SmarterPathSplitter, then
// convertSliceIndex and cleanPath): on dots, "\." escaping one; "[name=a.b]" and "[a.b]" keep their
// dots ("[a.b]" is the key "a.b"); "ports[0]" gives "ports" and "0"; blank parts go.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> dotted;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = path.find('.', start);
    std::string_view part = path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!dotted.empty() && dotted.back().ends_with('\\')) {
      dotted.back().back() = '.';
      dotted.back() += part;
    } else {
      dotted.emplace_back(part);
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (dotted.size() > 1 && dotted[0].empty()) dotted.erase(dotted.begin());
  std::vector<std::string> joined;
  for (std::size_t i = 0; i < dotted.size(); ++i) {
    std::string elem = dotted[i];
    if (elem.starts_with('[') && !elem.ends_with(']')) {
      while (i + 1 < dotted.size()) {
        elem += "." + dotted[++i];
        if (dotted[i].ends_with(']')) break;
      }
      if (elem.find('=') == std::string::npos) {
        std::size_t from = elem.find_first_not_of("[]"), to = elem.find_last_not_of("[]");
        elem = from == std::string::npos ? std::string() : elem.substr(from, to - from + 1);
      }
    }
    joined.push_back(std::move(elem));
  }
  std::vector<std::string> out;
  auto keep = [&](std::string_view part) {
    std::size_t from = part.find_first_not_of(" \t\n\r\v\f"), to = part.find_last_not_of(" \t\n\r\v\f");
    if (from != std::string_view::npos) out.emplace_back(part.substr(from, to - from + 1));
  };
  for (const auto& part : joined) {
    // kyaml's `^(.*)\[(\d+)\]$`, read without a regex: the last "[" opens the index.
    std::size_t open = part.rfind('[');
    bool indexed = part.ends_with(']') && open != std::string::npos && open + 3 <= part.size() &&
                   std::all_of(part.begin() + static_cast<std::ptrdiff_t>(open) + 1, part.end() - 1,
                               [](char c) { return c >= '0' && c <= '9'; });
    if (!indexed) {
      keep(part);
      continue;
    }
    if (open > 0) keep(std::string_view(part).substr(0, open));
    keep(std::string_view(part).substr(open + 1, part.size() - open - 2));
  }
  return out;
}

// A node's text as kyaml compares it in a list selector.
std::string scalar_text(const value& v) { return v.IsString() ? std::string(json::view(v)) : value_text(v); }

error not_found(std::string_view path) {
  return make_error(errc::invalid_kustomization, fmt::format("field \"{}\" not found", path));
}

struct by_pointer {
  bool operator()(const written_scalar& w, const std::string& p) const { return w.pointer < p; }
  bool operator()(const std::string& p, const written_scalar& w) const { return p < w.pointer; }
};

// The text `at` was written as, when the file's text is known and `at` still holds what it gave.
const written_scalar* written_at(const value& at, const std::string& pointer, const written_scalars& written) {
  // Sorted by pointer (decode_documents); the last entry for a place is the value that stayed.
  auto [from, to] = std::equal_range(written.begin(), written.end(), pointer, by_pointer{});
  if (from == to) return nullptr;
  auto it = std::prev(to);
  using wk = written_scalar::kind;
  switch (it->k) {
    case wk::null: return at.IsNull() ? &*it : nullptr;
    case wk::timestamp: {
      auto time = detail::timestamp_json(it->text);
      return at.IsString() && time && *time == json::view(at) ? &*it : nullptr;
    }
    case wk::integer:
    case wk::floating: {
      std::string plain;
      for (char c : it->text)
        if (c != '_') plain += c;
      auto s = detail::resolve_plain(plain, false);
      bool same = (s.kind == scalar_kind::integer && at.IsInt64() && at.GetInt64() == s.integer) ||
                  (s.kind == scalar_kind::floating && at.IsNumber() && at.GetDouble() == s.real);
      return same ? &*it : nullptr;
    }
  }
  return nullptr;
}

// Go's strconv.ParseFloat takes "_" only between two digits (go-yaml drops every "_" first).
bool go_float_underscores_ok(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] == '_' && (i == 0 || i + 1 == s.size() || !digit(s[i - 1]) || !digit(s[i + 1]))) return false;
  return true;
}

// kyaml's tags: int read with strconv.Atoi (decimal only, no "_"), float with strconv.ParseFloat.
result<var_value> from_written(const written_scalar& w, const value& at, std::string_view path) {
  var_value v;
  using wk = written_scalar::kind;
  if (w.k == wk::null || w.k == wk::timestamp) {
    v.text = w.text;
    return v;
  }
  if (w.k == wk::floating && go_float_underscores_ok(w.text)) {  // the value itself, as below
    if (at.IsInt64()) v.k = var_value::kind::integer, v.integer = at.GetInt64();
    else v.k = var_value::kind::real, v.real = at.GetDouble();
    return v;
  }
  auto n = w.k == wk::integer ? go_atoi(w.text) : std::nullopt;
  if (!n)
    return make_error(errc::invalid_kustomization,
                      fmt::format("field \"{}\" is written {}, which kustomize reads with Go's strconv.{} and "
                                  "refuses", path, w.text, w.k == wk::integer ? "Atoi" : "ParseFloat"));
  v.k = var_value::kind::integer;
  v.integer = *n;
  return v;
}

}  // namespace

std::string value_text(const value& v) {
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) return go_float_g(v.GetDouble());
  return {};
}

result<var_value> read_var_field(const value& object, std::string_view path, const written_scalars& written,
                                 const std::set<std::string>& untagged, bool lists_moved) {
  const value* at = &object;
  std::string pointer;
  bool through_list = false;
  for (const std::string& part : split_path(path)) {
    through_list = through_list || at->IsArray();
    if (auto index = go_atoi(part)) {
      if (!at->IsArray() || *index < 0 || static_cast<std::uint64_t>(*index) >= at->Size()) return not_found(path);
      at = &(*at)[static_cast<rapidjson::SizeType>(*index)];
      append_pointer(pointer, std::to_string(*index));
    } else if (part == "-") {
      if (!at->IsArray() || at->Empty()) return not_found(path);
      append_pointer(pointer, std::to_string(at->Size() - 1));
      at = &(*at)[at->Size() - 1];
    } else if (part.starts_with('[') && part.ends_with(']')) {
      // [name=value]: the first map whose field has that text; [=value]: the first such scalar.
      std::string_view inner = std::string_view(part).substr(1, part.size() - 2);
      std::size_t eq = inner.find('=');
      if (eq == std::string_view::npos || !at->IsArray()) return not_found(path);
      std::string_view name = inner.substr(0, eq), want = inner.substr(eq + 1);
      std::optional<rapidjson::SizeType> hit;
      for (rapidjson::SizeType i = 0; i < at->Size() && !hit; ++i) {
        const value& e = (*at)[i];
        const value* f = name.empty() ? &e : e.IsObject() ? json::find(e, name) : nullptr;
        if (f != nullptr && (name.empty() || e.IsObject()) && scalar_text(*f) == want) hit = i;
      }
      if (!hit) return not_found(path);
      at = &(*at)[*hit];
      append_pointer(pointer, std::to_string(*hit));
    } else {
      if (part == "*" || !at->IsObject()) return not_found(path);
      at = json::find(*at, part);
      if (at == nullptr) return not_found(path);
      append_pointer(pointer, part);
    }
  }
  if (!written.empty())
    if (const written_scalar* w = written_at(*at, pointer, written)) return from_written(*w, *at, path);
  bool maybe_written = at->IsNull() || at->IsNumber() || (at->IsString() && detail::timestamp_json(json::view(*at)));
  if (lists_moved && through_list && maybe_written)
    return make_error(errc::unsupported,
                      fmt::format("field \"{}\" is in a list a strategic merge patch changed, and may have been written "
                                  "in a form kustomize reads as text (a null, octal number or timestamp): gitopsd no "
                                  "longer knows that text and does not render it",
                                  path));
  var_value v;
  if ((at->IsNumber() || at->IsBool()) && untagged.contains(pointer)) {
    v.text = value_text(*at);
    return v;
  }
  if (at->IsString()) {
    v.text = json::view(*at);
  } else if (at->IsBool()) {
    v.k = var_value::kind::boolean;
    v.boolean = at->GetBool();
  } else if (at->IsInt64()) {
    v.k = var_value::kind::integer;
    v.integer = at->GetInt64();
  } else if (at->IsObject() || at->IsArray()) {
    v.k = var_value::kind::opaque;
  } else if (at->IsDouble()) {
    v.k = var_value::kind::real;
    v.real = at->GetDouble();
  } else if (at->IsNull()) {
    v.text = "null";  // written so, or a null from a JSON patch, which kustomize writes so
  } else {
    return make_error(errc::unsupported, fmt::format("field \"{}\" is an integer beyond 64 bits, which kustomize "
                                                     "refuses and gitopsd does not render", path));
  }
  return v;
}

}  // namespace gitopsd::render::kustomize
