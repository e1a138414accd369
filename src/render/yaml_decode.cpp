// YAML documents to RapidJSON with Kubernetes' rules. yaml-cpp parses and marks quoted scalars with
// the tag "!" and plain ones with "?"; the conversion walks the node graph itself so aliases are
// counted as they expand and merge keys follow go-yaml v2 (positional: a later key wins).
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"
#include "../core/json_zero_exponent.hpp"
#include "yaml_cpp_guard.hpp"
#include "yaml_budget.hpp"
#include "yaml_prescan.hpp"
#include "yaml_scalar.hpp"
#include "yaml_text.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace gitopsd::render {
namespace {

using alloc_t = rapidjson::Document::AllocatorType;

constexpr std::string_view tag_prefix = "tag:yaml.org,2002:";

// Thrown inside this file only and turned into a result at the API boundary: the walk is deeply
// recursive and every level would otherwise have to forward the failure by hand.
struct failure {
  error err;
};

class converter {
 public:
  converter(std::string_view file, std::string_view text, const limits& lim) : file_(file), text_(text), limits_(lim) {}

  // Collects the written_scalars of the documents converted next into `out` (kustomize rules).
  void keep_written(written_scalars* out) { written_ = limits_.rules == yaml_rules::kustomize ? out : nullptr; }

  [[noreturn]] void fail(errc code, const YAML::Mark& mark, const std::string& what) const {
    if (mark.is_null()) throw failure{make_error(code, fmt::format("{}: {}", file_, what))};
    throw failure{make_error(code, fmt::format("{}:{}:{}: {}", file_, mark.line + 1, mark.column + 1, what))};
  }

  // Where a map sits, for the one place kustomize treats differently: metadata.annotations.
  enum class place { other, root, metadata, annotations };

  void value(const YAML::Node& node, rapidjson::Value& out, alloc_t& a, std::size_t depth, place at = place::other) {
    if (++nodes_ > limits_.max_nodes)
      fail(errc::limit_exceeded, node.Mark(),
           fmt::format("more than {} values (alias expansion is bounded)", limits_.max_nodes));
    if (depth > limits_.max_depth)
      fail(errc::limit_exceeded, node.Mark(), fmt::format("nesting deeper than {}", limits_.max_depth));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        if (tag_is(node, "str")) {
          out.SetString("", a);
        } else {
          out.SetNull();
          if (written_ != nullptr) note(written_scalar::kind::null, null_text(node), "null");
        }
        return;
      case YAML::NodeType::Scalar: scalar(node, out, a); return;
      case YAML::NodeType::Sequence:
        out.SetArray();
        out.Reserve(static_cast<rapidjson::SizeType>(node.size()), a);
        for (const auto& item : node) {
          rapidjson::Value v;
          std::size_t mark = enter(std::to_string(out.Size()));
          value(item, v, a, depth + 1);
          at_.resize(mark);
          out.PushBack(v, a);
        }
        return;
      case YAML::NodeType::Map: mapping(node, out, a, depth, at); return;
    }
  }

 private:
  static bool tag_is(const YAML::Node& node, std::string_view name) {
    const std::string& tag = node.Tag();
    return tag.size() == tag_prefix.size() + name.size() && tag.compare(0, tag_prefix.size(), tag_prefix) == 0 &&
           tag.compare(tag_prefix.size(), std::string::npos, name) == 0;
  }

  void number(const detail::scalar& s, const YAML::Node& node, rapidjson::Value& out) const {
    if (s.kind == scalar_kind::integer) return out.SetInt64(s.integer), void();
    if (s.kind == scalar_kind::not_finite)
      fail(errc::invalid_yaml, node.Mark(), fmt::format("{} cannot be represented in JSON", node.Scalar()));
    // Go writes an integral float64 without a fraction and Kubernetes reads it back as int64.
    if (std::trunc(s.real) == s.real && std::fabs(s.real) < 9.2233720368547758e18)
      out.SetInt64(static_cast<std::int64_t>(s.real));
    else
      out.SetDouble(s.real);
  }

  void count_bytes(const YAML::Node& node, std::size_t n) {
    bytes_ += n;
    if (bytes_ > limits_.max_bytes)
      fail(errc::limit_exceeded, node.Mark(),
           fmt::format("more than {} bytes of text (alias expansion is bounded)", limits_.max_bytes));
  }

  // A scalar that is a string whatever it reads like (quoted, tagged !!str, !!binary or a local
  // tag), as sigs.k8s.io/yaml gives it, or nullopt.
  std::optional<std::string> string_scalar(const YAML::Node& node) const {
    const std::string& tag = node.Tag();
    if (tag_is(node, "binary")) {
      auto bytes = detail::decode_base64(node.Scalar());
      if (!bytes) fail(errc::invalid_yaml, node.Mark(), "!!binary value contains invalid base64 data");
      return detail::go_json_string(*bytes);
    }
    if (tag == "!" || (!tag.empty() && tag != "?" && tag.compare(0, tag_prefix.size(), tag_prefix) != 0) ||
        tag_is(node, "str") || tag_is(node, "timestamp")) {
      std::string text = node.Scalar();
      detail::repair_escaped_bytes(text);
      return text;
    }
    return std::nullopt;
  }

  void scalar(const YAML::Node& node, rapidjson::Value& out, alloc_t& a) {
    const std::string& text = node.Scalar();
    count_bytes(node, text.size());
    const std::string& tag = node.Tag();
    if (auto str = string_scalar(node)) {
      out.SetString(str->data(), static_cast<rapidjson::SizeType>(str->size()), a);
      return;
    }
    if (kustomize() && (tag == "?" || tag_is(node, "timestamp"))) {
      if (auto time = detail::timestamp_json(text)) {
        out.SetString(time->data(), static_cast<rapidjson::SizeType>(time->size()), a);
        if (written_ != nullptr) note(written_scalar::kind::timestamp, text, *time);
        return;
      }
    }
    detail::scalar s = detail::resolve_plain(text, limits_.rules == yaml_rules::kubectl);
    if (tag != "?") {
      std::string_view want = std::string_view(tag).substr(tag_prefix.size());
      bool ok = (want == "bool" && s.kind == scalar_kind::boolean) || (want == "null" && s.kind == scalar_kind::null) ||
                (want == "int" && s.kind == scalar_kind::integer) ||
                (want == "float" && (s.kind == scalar_kind::floating || s.kind == scalar_kind::integer ||
                                     s.kind == scalar_kind::not_finite));
      if (want == "merge" || want == "seq" || want == "map" || want == "set" || want == "omap" ||
          want == "pairs" || want == "value" || want == "yaml")
        fail(errc::invalid_yaml, node.Mark(), fmt::format("unsupported tag !!{}", want));
      if (!ok)
        fail(errc::invalid_yaml, node.Mark(), fmt::format("cannot decode `{}` as a !!{}", text, want));
      if (want == "float" && s.kind == scalar_kind::integer) {
        s.kind = scalar_kind::floating;
        s.real = static_cast<double>(s.integer);
      }
    }
    if (written_ != nullptr && (tag == "?" || tag_is(node, "int"))) note_number(s, text);
    switch (s.kind) {
      case scalar_kind::null: out.SetNull(); return;
      case scalar_kind::boolean: out.SetBool(s.truth); return;
      case scalar_kind::string: out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a); return;
      default: number(s, node, out);
    }
  }

  bool kustomize() const { return limits_.rules == yaml_rules::kustomize; }

  // kustomize writes an annotation back as the text of its value, whatever it reads like.
  void annotation(const YAML::Node& node, rapidjson::Value& out, alloc_t& a) {
    if (++nodes_ > limits_.max_nodes)
      fail(errc::limit_exceeded, node.Mark(),
           fmt::format("more than {} values (alias expansion is bounded)", limits_.max_nodes));
    std::string text = node.IsScalar() ? node.Scalar() : node.IsNull() ? null_text(node) : std::string();
    count_bytes(node, text.size());
    // Kept even when written "null": a patch's null annotation removes the key (see kustomize's patches).
    if (written_ != nullptr && node.IsNull() && !tag_is(node, "str"))
      written_->push_back({written_scalar::kind::null, at_, text});
    detail::repair_escaped_bytes(text);
    out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
  }

  void note(written_scalar::kind k, std::string_view text, std::string_view json_text) {
    if (text != json_text) written_->push_back({k, at_, std::string(text)});
  }

  // kyaml tags these int or float, and Go's strconv then reads their text, not their value.
  void note_number(const detail::scalar& s, std::string_view text) {
    if (s.kind == scalar_kind::integer) return note(written_scalar::kind::integer, text, std::to_string(s.integer));
    if (s.kind != scalar_kind::floating) return;
    std::string_view digits = text;
    if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
    bool prefixed = digits.starts_with("0x") || digits.starts_with("0o") || digits.starts_with("0b");
    bool int_text = !digits.empty() && (prefixed || digits.find_first_not_of("0123456789_") == std::string_view::npos);
    if (int_text) note(written_scalar::kind::integer, text, {});
    else if (text.find('_') != std::string_view::npos) note(written_scalar::kind::floating, text, {});
  }

  // Appends a pointer segment to at_ (when collecting) and returns the length to restore.
  std::size_t enter(std::string_view key) {
    std::size_t mark = at_.size();
    if (written_ == nullptr) return mark;
    at_ += '/';
    for (char c : key) {
      if (c == '~') at_ += "~0";
      else if (c == '/') at_ += "~1";
      else at_ += c;
    }
    return mark;
  }

  // yaml-cpp keeps no text for a null; the source at its position tells `~` from `null` or nothing.
  std::string null_text(const YAML::Node& node) const {
    const YAML::Mark& m = node.Mark();
    if (m.is_null() || m.pos < 0 || static_cast<std::size_t>(m.pos) >= text_.size()) return {};
    std::string_view rest = text_.substr(static_cast<std::size_t>(m.pos));
    std::size_t n = rest.find_first_of(" \t\r\n,]}#:");
    std::string_view word = rest.substr(0, n);
    for (std::string_view w : {"~", "null", "Null", "NULL"})
      if (word == w) return std::string(word);
    return {};
  }

  // go-yaml v3 decodes a map whose keys are not all strings as map[interface{}]interface{}, which
  // Go's JSON encoder (and so kustomize) cannot write; the top level keeps the keys' text.
  std::string kustomize_key(const YAML::Node& key, std::size_t depth) {
    if (key.IsNull() && depth > 0)
      fail(errc::invalid_yaml, key.Mark(), "kustomize cannot write a map with a null key below the top level");
    if (key.IsNull()) return key.Scalar();
    if (key.Tag() != "?") return key.Scalar();
    bool text_key = detail::resolve_plain(key.Scalar(), false).kind == scalar_kind::string &&
                    !detail::timestamp_json(key.Scalar());
    if (!text_key && depth > 0)
      fail(errc::invalid_yaml, key.Mark(),
           fmt::format("kustomize cannot write a map with the non-string key `{}` below the top level", key.Scalar()));
    return key.Scalar();
  }

  // A map key as sigs.k8s.io/yaml (or kustomize) turns it into a JSON key.
  std::string key_text(const YAML::Node& key, std::size_t depth) {
    if (key.IsScalar()) count_bytes(key, key.Scalar().size());
    if (key.IsMap() || key.IsSequence()) fail(errc::invalid_yaml, key.Mark(), "a map or list cannot be a map key");
    if (auto str = string_scalar(key)) return *str;
    if (limits_.rules != yaml_rules::kubectl) return kustomize_key(key, depth);
    if (key.IsNull() && !tag_is(key, "str")) fail(errc::invalid_yaml, key.Mark(), "null cannot be a map key");
    if (key.IsNull()) return {};
    const std::string& tag = key.Tag();
    if (tag != "?") return key.Scalar();
    detail::scalar s = detail::resolve_plain(key.Scalar());
    switch (s.kind) {
      case scalar_kind::boolean: return s.truth ? "true" : "false";
      case scalar_kind::integer: return std::to_string(s.integer);
      case scalar_kind::floating:
      case scalar_kind::not_finite: return detail::format_float32_key(s.real);
      case scalar_kind::null: fail(errc::invalid_yaml, key.Mark(), "null cannot be a map key");
      case scalar_kind::string: break;
    }
    return key.Scalar();
  }

  static bool is_merge_key(const YAML::Node& key) {
    return key.IsScalar() && key.Scalar() == "<<" && (key.Tag() == "?" || key.Tag() == "tag:yaml.org,2002:merge");
  }

  struct builder {
    std::vector<std::pair<std::string, rapidjson::Value>> members;
    std::unordered_map<std::string, std::size_t> index;
    void set(std::string key, rapidjson::Value&& v) {
      auto [it, inserted] = index.emplace(key, members.size());
      if (inserted) members.emplace_back(std::move(key), std::move(v));
      else members[it->second].second = std::move(v);
    }
  };

  void merge(const YAML::Node& source, builder& into, alloc_t& a, std::size_t depth, place at) {
    // `a: &x {<<: *x}` merges a map into itself: yaml-cpp keeps the cycle, and following it would
    // recurse until the stack ends. go-yaml refuses such an anchor too.
    for (const auto& open : merging_)
      if (open.is(source)) fail(errc::invalid_yaml, source.Mark(), "a merge key's value contains the map that holds it");
    merging_.push_back(source);
    merge_into(source, into, a, depth, at);
    merging_.pop_back();
  }

  void merge_into(const YAML::Node& source, builder& into, alloc_t& a, std::size_t depth, place at) {
    if (source.IsMap()) return fill(source, into, a, depth, at), void();
    if (source.IsSequence()) {
      // Earlier maps take precedence, so go backwards.
      for (std::size_t i = source.size(); i-- > 0;) {
        if (!source[i].IsMap())
          fail(errc::invalid_yaml, source[i].Mark(), "map merge requires map or sequence of maps as the value");
        fill(source[i], into, a, depth, at);
      }
      return;
    }
    fail(errc::invalid_yaml, source.Mark(), "map merge requires map or sequence of maps as the value");
  }

  void fill(const YAML::Node& node, builder& into, alloc_t& a, std::size_t depth, place at) {
    std::unordered_set<std::string> explicit_keys;
    for (const auto& kv : node) {
      if (is_merge_key(kv.first)) {
        if (++nodes_ > limits_.max_nodes)
          fail(errc::limit_exceeded, kv.first.Mark(),
               fmt::format("more than {} values (alias expansion is bounded)", limits_.max_nodes));
        merge(kv.second, into, a, depth + 1, at);
        continue;
      }
      std::string key = key_text(kv.first, depth);
      if (!explicit_keys.insert(key).second)
        fail(errc::duplicate_key, kv.first.Mark(), fmt::format("duplicate key \"{}\"", key));
      rapidjson::Value v;
      std::size_t mark = enter(key);
      if (at == place::annotations && kustomize()) {
        annotation(kv.second, v, a);
      } else {
        place inner = at == place::root && key == "metadata"           ? place::metadata
                      : at == place::metadata && key == "annotations" ? place::annotations
                                                                      : place::other;
        value(kv.second, v, a, depth + 1, inner);
      }
      at_.resize(mark);
      into.set(std::move(key), std::move(v));
    }
  }

  void mapping(const YAML::Node& node, rapidjson::Value& out, alloc_t& a, std::size_t depth, place at) {
    builder b;
    fill(node, b, a, depth, at);
    out.SetObject();
    for (auto& [k, v] : b.members)
      out.AddMember(rapidjson::Value(k.data(), static_cast<rapidjson::SizeType>(k.size()), a), v, a);
  }

  std::string_view file_;
  std::string_view text_;
  const limits& limits_;
  std::size_t nodes_ = 0;
  std::vector<YAML::Node> merging_;  // the merge values being merged, outermost first
  std::size_t bytes_ = 0;
  written_scalars* written_ = nullptr;
  std::string at_;  // the pointer of the value being read, kept while collecting written_
};

// Kubernetes reads a stream starting with '{' as concatenated JSON objects.
bool looks_like_json(std::string_view text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{';
  }
  return false;
}

void normalize_json_numbers(rapidjson::Value& v, std::string_view file, std::size_t depth, const limits& lim) {
  if (depth > lim.max_depth)
    throw failure{make_error(errc::limit_exceeded, fmt::format("{}: nesting deeper than {}", file, lim.max_depth))};
  if (v.IsObject()) {
    std::unordered_set<std::string_view> seen;
    for (auto& m : v.GetObject()) {
      std::string_view k(m.name.GetString(), m.name.GetStringLength());
      if (!seen.insert(k).second)
        throw failure{make_error(errc::duplicate_key, fmt::format("{}: duplicate key \"{}\"", file, k))};
      normalize_json_numbers(m.value, file, depth + 1, lim);
    }
  } else if (v.IsArray()) {
    for (auto& item : v.GetArray()) normalize_json_numbers(item, file, depth + 1, lim);
  } else if (v.IsUint64() && !v.IsInt64()) {
    v.SetDouble(static_cast<double>(v.GetUint64()));
  } else if (v.IsDouble()) {
    double d = v.GetDouble();
    if (std::trunc(d) == d && std::fabs(d) < 9.2233720368547758e18) v.SetInt64(static_cast<std::int64_t>(d));
  }
}

// Values and nesting of a JSON stream counted before it is parsed: nesting is refused before any
// parser sees it, and the parsed documents cannot outgrow the value budget.
void check_json_budget(std::string_view text, std::string_view file, const limits& lim) {
  std::size_t values = 1, depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > lim.max_depth + 1)  // the root is level 0, as normalize_json_numbers counts
        throw failure{make_error(errc::limit_exceeded,
                                 fmt::format("{}: nesting deeper than {} (limit max-yaml-depth)", file, lim.max_depth))};
      ++values;
    } else if (c == ']' || c == '}') {
      if (depth > 0) --depth;
    } else if (c == ',') {
      ++values;
    }
    if (values > lim.max_nodes)
      throw failure{make_error(errc::limit_exceeded,
                               fmt::format("{}: more than {} values in one file (limit max-yaml-values)", file,
                                           lim.max_nodes))};
  }
}

// A stream starting with '{' as kubectl reads it: JSON values one after the other, and when one is
// not JSON while at most one came before, the rest (from the end of the last one, less the blanks
// up to the first line break) is read as YAML instead.
struct json_stream {
  std::vector<rapidjson::Document> docs;
  std::optional<std::size_t> yaml_from;
};

json_stream decode_json_stream(std::string_view text, std::string_view file, const limits& lim) {
  check_json_budget(text, file, lim);
  json_stream out;
  auto blank = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f'; };
  std::size_t offset = 0;
  while (true) {
    std::size_t consumed = offset;
    while (offset < text.size() && blank(text[offset])) ++offset;
    if (offset >= text.size()) break;
    if (out.docs.size() >= lim.max_documents)
      throw failure{make_error(errc::limit_exceeded, fmt::format("{}: more than {} documents", file, lim.max_documents))};
    rapidjson::Document doc;
    std::optional<std::string> zeroed = json::detail::zero_exponents_as_zero(text.substr(offset));
    std::string_view source = zeroed ? std::string_view(*zeroed) : text.substr(offset);
    rapidjson::MemoryStream ms(source.data(), source.size());
    // Iterative: RapidJSON's default parser recurses once per nesting level, so a file nested
    // 150,000 deep would overflow the stack before the depth limit below is checked.
    doc.ParseStream<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseStopWhenDoneFlag |
                    rapidjson::kParseIterativeFlag>(ms);
    if (doc.HasParseError()) {
      if (out.docs.size() <= 1) {
        while (consumed < text.size() && blank(text[consumed]))
          if (text[consumed++] == '\n') break;
        out.yaml_from = consumed;
        return out;
      }
      std::size_t at = offset + doc.GetErrorOffset();
      std::size_t line = 1, column = 1;
      for (std::size_t i = 0; i < at && i < text.size(); ++i) {
        if (text[i] == '\n') ++line, column = 1;
        else ++column;
      }
      throw failure{make_error(errc::invalid_yaml, fmt::format("{}:{}:{}: invalid JSON: {}", file, line, column,
                                                               rapidjson::GetParseError_En(doc.GetParseError())))};
    }
    offset += ms.Tell();
    normalize_json_numbers(doc, file, 0, lim);
    out.docs.push_back(std::move(doc));
  }
  return out;
}

void decode_yaml_stream(std::string_view text, std::string_view file, const limits& lim,
                        std::vector<rapidjson::Document>& docs, std::vector<written_scalars>* written) {
  auto fail = [](error e) { throw failure{std::move(e)}; };
  if (auto bad = detail::check_characters(text, file)) fail(*bad);
  if (auto at = detail::prescan_yaml(text))
    fail(make_error(errc::invalid_yaml, fmt::format("{}:{}:{}: {}", file, at->line, at->column, at->what)));
  if (auto over = detail::check_yaml_budget(text, file, lim)) fail(*over);
  if (auto over = detail::check_yaml_cpp_counts(text, file, lim)) fail(*over);
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) fail(make_error(errc::invalid_yaml, fmt::format("{}: {}", file, e.msg)));
    fail(make_error(errc::invalid_yaml, fmt::format("{}:{}:{}: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
  converter conv(file, text, lim);
  for (const YAML::Node& node : nodes) {
    if (node.IsNull() || !node.IsDefined()) continue;
    if (docs.size() >= lim.max_documents)
      fail(make_error(errc::limit_exceeded, fmt::format("{}: more than {} documents", file, lim.max_documents)));
    rapidjson::Document doc;
    if (written != nullptr) conv.keep_written(&written->emplace_back());
    conv.value(node, doc, doc.GetAllocator(), 0, converter::place::root);
    if (written != nullptr)  // by pointer, for binary search; a later entry for one place stays later
      std::stable_sort(written->back().begin(), written->back().end(),
                       [](const written_scalar& x, const written_scalar& y) { return x.pointer < y.pointer; });
    docs.push_back(std::move(doc));
  }
}

}  // namespace

result<std::vector<rapidjson::Document>> decode_documents(std::string_view text, std::string_view file_name,
                                                          const limits& lim, std::vector<written_scalars>* written) {
  std::string shown = printable_name(file_name);
  if (text.size() > lim.max_file_bytes)
    return make_error(errc::limit_exceeded,
                      fmt::format("{}: file is {} bytes, more than the limit of {} (limit max-yaml-file-bytes)", shown, text.size(),
                                  lim.max_file_bytes));
  try {
    std::optional<std::string> converted = detail::utf8_text(text);
    if (converted) text = *converted;
    std::vector<rapidjson::Document> docs;
    std::string rest;  // the YAML after JSON documents, with their lines kept blank for positions
    std::string_view yaml = text;
    if (looks_like_json(text)) {
      json_stream json = decode_json_stream(text, shown, lim);
      if (written != nullptr) written->resize(json.docs.size());  // JSON keeps its text
      if (!json.yaml_from) return std::move(json.docs);
      docs = std::move(json.docs);
      std::string_view before = text.substr(0, *json.yaml_from);
      rest.assign(static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')), '\n');
      rest.append(text.substr(*json.yaml_from));
      yaml = rest;
    }
    decode_yaml_stream(yaml, shown, lim, docs, written);
    return docs;
  } catch (const failure& f) {
    return f.err;
  }
}

}  // namespace gitopsd::render
