// YAML documents to RapidJSON with Kubernetes' rules. yaml-cpp parses and marks quoted scalars with
// the tag "!" and plain ones with "?"; the conversion walks the node graph itself so aliases are
// counted as they expand and merge keys follow go-yaml v2 (positional: a later key wins).
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"
#include "yaml_budget.hpp"
#include "yaml_scalar.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <yaml-cpp/yaml.h>

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
  converter(std::string_view file, const limits& lim) : file_(file), limits_(lim) {}

  [[noreturn]] void fail(errc code, const YAML::Mark& mark, const std::string& what) const {
    if (mark.is_null()) throw failure{make_error(code, fmt::format("{}: {}", file_, what))};
    throw failure{make_error(code, fmt::format("{}:{}:{}: {}", file_, mark.line + 1, mark.column + 1, what))};
  }

  void value(const YAML::Node& node, rapidjson::Value& out, alloc_t& a, std::size_t depth) {
    if (++nodes_ > limits_.max_nodes)
      fail(errc::limit_exceeded, node.Mark(),
           fmt::format("more than {} values (alias expansion is bounded)", limits_.max_nodes));
    if (depth > limits_.max_depth)
      fail(errc::limit_exceeded, node.Mark(), fmt::format("nesting deeper than {}", limits_.max_depth));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        if (tag_is(node, "str")) out.SetString("", a);
        else out.SetNull();
        return;
      case YAML::NodeType::Scalar: scalar(node, out, a); return;
      case YAML::NodeType::Sequence:
        out.SetArray();
        out.Reserve(static_cast<rapidjson::SizeType>(node.size()), a);
        for (const auto& item : node) {
          rapidjson::Value v;
          value(item, v, a, depth + 1);
          out.PushBack(v, a);
        }
        return;
      case YAML::NodeType::Map: mapping(node, out, a, depth); return;
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

  void scalar(const YAML::Node& node, rapidjson::Value& out, alloc_t& a) {
    const std::string& text = node.Scalar();
    count_bytes(node, text.size());
    const std::string& tag = node.Tag();
    if (tag == "!" || (!tag.empty() && tag != "?" && tag.compare(0, tag_prefix.size(), tag_prefix) != 0) ||
        tag_is(node, "str") || tag_is(node, "timestamp")) {
      out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a);
      return;
    }
    detail::scalar s = detail::resolve_plain(text);
    if (tag != "?") {
      std::string_view want = std::string_view(tag).substr(tag_prefix.size());
      bool ok = (want == "bool" && s.kind == scalar_kind::boolean) || (want == "null" && s.kind == scalar_kind::null) ||
                (want == "int" && s.kind == scalar_kind::integer) ||
                (want == "float" && (s.kind == scalar_kind::floating || s.kind == scalar_kind::integer ||
                                     s.kind == scalar_kind::not_finite));
      if (want == "binary" || want == "merge" || want == "seq" || want == "map" || want == "set" || want == "omap" ||
          want == "pairs" || want == "value" || want == "yaml")
        fail(errc::invalid_yaml, node.Mark(), fmt::format("unsupported tag !!{}", want));
      if (!ok)
        fail(errc::invalid_yaml, node.Mark(), fmt::format("cannot decode `{}` as a !!{}", text, want));
      if (want == "float" && s.kind == scalar_kind::integer) {
        s.kind = scalar_kind::floating;
        s.real = static_cast<double>(s.integer);
      }
    }
    switch (s.kind) {
      case scalar_kind::null: out.SetNull(); return;
      case scalar_kind::boolean: out.SetBool(s.truth); return;
      case scalar_kind::string: out.SetString(text.data(), static_cast<rapidjson::SizeType>(text.size()), a); return;
      default: number(s, node, out);
    }
  }

  // A map key as sigs.k8s.io/yaml turns it into a JSON key.
  std::string key_text(const YAML::Node& key) {
    if (key.IsScalar()) count_bytes(key, key.Scalar().size());
    if (key.IsMap() || key.IsSequence()) fail(errc::invalid_yaml, key.Mark(), "a map or list cannot be a map key");
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

  void merge(const YAML::Node& source, builder& into, alloc_t& a, std::size_t depth) {
    if (source.IsMap()) return fill(source, into, a, depth), void();
    if (source.IsSequence()) {
      // Earlier maps take precedence, so go backwards.
      for (std::size_t i = source.size(); i-- > 0;) {
        if (!source[i].IsMap())
          fail(errc::invalid_yaml, source[i].Mark(), "map merge requires map or sequence of maps as the value");
        fill(source[i], into, a, depth);
      }
      return;
    }
    fail(errc::invalid_yaml, source.Mark(), "map merge requires map or sequence of maps as the value");
  }

  void fill(const YAML::Node& node, builder& into, alloc_t& a, std::size_t depth) {
    std::unordered_set<std::string> explicit_keys;
    for (const auto& kv : node) {
      if (is_merge_key(kv.first)) {
        if (++nodes_ > limits_.max_nodes)
          fail(errc::limit_exceeded, kv.first.Mark(),
               fmt::format("more than {} values (alias expansion is bounded)", limits_.max_nodes));
        merge(kv.second, into, a, depth + 1);
        continue;
      }
      std::string key = key_text(kv.first);
      if (!explicit_keys.insert(key).second)
        fail(errc::duplicate_key, kv.first.Mark(), fmt::format("duplicate key \"{}\"", key));
      rapidjson::Value v;
      value(kv.second, v, a, depth + 1);
      into.set(std::move(key), std::move(v));
    }
  }

  void mapping(const YAML::Node& node, rapidjson::Value& out, alloc_t& a, std::size_t depth) {
    builder b;
    fill(node, b, a, depth);
    out.SetObject();
    for (auto& [k, v] : b.members)
      out.AddMember(rapidjson::Value(k.data(), static_cast<rapidjson::SizeType>(k.size()), a), v, a);
  }

  std::string_view file_;
  const limits& limits_;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
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

std::vector<rapidjson::Document> decode_json_stream(std::string_view text, std::string_view file, const limits& lim) {
  check_json_budget(text, file, lim);
  std::vector<rapidjson::Document> docs;
  std::size_t offset = 0;
  while (true) {
    while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\n' || text[offset] == '\r' ||
                                    text[offset] == '\t'))
      ++offset;
    if (offset >= text.size()) break;
    if (docs.size() >= lim.max_documents)
      throw failure{make_error(errc::limit_exceeded, fmt::format("{}: more than {} documents", file, lim.max_documents))};
    rapidjson::Document doc;
    rapidjson::MemoryStream ms(text.data() + offset, text.size() - offset);
    // Iterative: RapidJSON's default parser recurses once per nesting level, so a file nested
    // 150,000 deep would overflow the stack before the depth limit below is checked.
    doc.ParseStream<rapidjson::kParseFullPrecisionFlag | rapidjson::kParseStopWhenDoneFlag |
                    rapidjson::kParseIterativeFlag>(ms);
    if (doc.HasParseError()) {
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
    docs.push_back(std::move(doc));
  }
  return docs;
}

// Length of the valid UTF-8 sequence at text[i], or 0; `consumed` is the ill-formed prefix to
// replace otherwise (Unicode's "maximal subpart", which is what kubectl's decoding produces).
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::size_t& consumed) {
  auto c = static_cast<unsigned char>(text[i]);
  consumed = 1;
  if (c < 0x80) return 1;
  std::size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len == 0) return 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c == 0xe0) lo = 0xa0;
  if (c == 0xed) hi = 0x9f;
  if (c == 0xf0) lo = 0x90;
  if (c == 0xf4) hi = 0x8f;
  for (std::size_t j = 1; j < len; ++j) {
    if (i + j >= text.size()) return 0;
    auto cc = static_cast<unsigned char>(text[i + j]);
    if (cc < (j == 1 ? lo : 0x80) || cc > (j == 1 ? hi : 0xbf)) return 0;
    consumed = j + 1;
  }
  return len;
}

// Invalid UTF-8 becomes U+FFFD, as kubectl's decoding turns it into.
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      i += consumed;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// go-yaml refuses control characters: only tab, line breaks and printable characters may appear.
std::optional<error> check_characters(std::string_view text, std::string_view file) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t consumed = 0;
    std::size_t len = utf8_sequence(text, i, consumed);
    std::uint32_t cp = static_cast<unsigned char>(text[i]);
    if (len > 1) {
      cp &= len == 2 ? 0x1fu : len == 3 ? 0x0fu : 0x07u;
      for (std::size_t j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(text[i + j]) & 0x3fu);
    }
    bool printable = cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) || cp == 0x85 ||
                     (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!printable)
      return make_error(errc::invalid_yaml,
                        fmt::format("{}:{}:{}: control characters are not allowed", file, line, column));
    if (cp == 0x0a) ++line, column = 1;
    else ++column;
    i += len == 0 ? 1 : len;
  }
  return std::nullopt;
}

// yaml-cpp 0.7 loops forever on a ',' that starts a token outside flow collections (",",
// "- a\n,"); go-yaml rejects such a ',' as well. This scan finds one before yaml-cpp sees it. It
// tracks flow collections, quoted scalars, comments and block scalars, which may hold commas.
std::optional<std::pair<std::size_t, std::size_t>> stray_flow_entry(std::string_view text) {
  std::size_t line = 1, col = 1, i = 0;
  std::size_t line_indent = 0;
  bool token_start = true;  // the next non-space character begins a token
  bool at_line_start = true;
  int flow = 0;
  auto advance = [&](std::size_t n) {
    for (std::size_t k = 0; k < n && i < text.size(); ++k, ++i) {
      if (text[i] == '\n') ++line, col = 1;
      else ++col;
    }
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      advance(1);
      token_start = true;
      at_line_start = true;
      line_indent = 0;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      if (at_line_start) ++line_indent;
      advance(1);
      if (flow == 0 && i < text.size() && text[i] == '#') {  // comment to the end of the line
        while (i < text.size() && text[i] != '\n') advance(1);
      }
      continue;
    }
    bool first_on_line = at_line_start;
    at_line_start = false;
    if (c == '#' && (first_on_line || token_start)) {
      while (i < text.size() && text[i] != '\n') advance(1);
      continue;
    }
    if ((c == '"' || c == '\'') && (token_start || flow > 0)) {
      char q = c;
      advance(1);
      while (i < text.size()) {
        if (q == '"' && text[i] == '\\') {
          advance(2);
          continue;
        }
        if (text[i] == q) {
          if (q == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
            advance(2);
            continue;
          }
          advance(1);
          break;
        }
        advance(1);
      }
      token_start = false;
      continue;
    }
    if (flow > 0) {
      if (c == '[' || c == '{') ++flow;
      if (c == ']' || c == '}') --flow;
      advance(1);
      if (flow == 0) token_start = false;
      continue;
    }
    if (!token_start) {
      // Inside a plain scalar: ": " or "- " at its start open a new token.
      if (c == ':' && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) token_start = true;
      advance(1);
      continue;
    }
    // c begins a token.
    if (c == ',') return std::make_pair(line, col);
    if (c == '[' || c == '{') {
      ++flow;
      advance(1);
      continue;
    }
    if ((c == '|' || c == '>')) {
      // Block scalar: skip the rest of this line and every following line indented deeper.
      std::size_t indent = line_indent;
      while (i < text.size() && text[i] != '\n') advance(1);
      while (i < text.size()) {
        std::size_t j = i + 1, n = 0;
        while (j < text.size() && text[j] == ' ') ++j, ++n;
        bool blank = j >= text.size() || text[j] == '\n' || text[j] == '\r';
        if (!blank && n <= indent) break;
        advance(1);
        while (i < text.size() && text[i] != '\n') advance(1);
      }
      continue;
    }
    if ((c == '-' || c == '?' || c == ':') && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      advance(1);
      continue;  // still at a token start
    }
    if (first_on_line && text.substr(i, 3) == "---") {
      advance(3);
      continue;
    }
    if (c == '&' || c == '!' || c == '*') {  // anchor, tag or alias: a token of its own
      // yaml-cpp ends these at a ',' and then loops on it; go-yaml refuses the ',' after an anchor.
      while (i < text.size() && text[i] != ' ' && text[i] != '\n') {
        if (text[i] == ',') return std::make_pair(line, col);
        advance(1);
      }
      continue;
    }
    token_start = false;
    advance(1);
  }
  return std::nullopt;
}

}  // namespace

result<std::vector<rapidjson::Document>> decode_documents(std::string_view text, std::string_view file_name,
                                                          const limits& lim) {
  if (text.size() > lim.max_file_bytes)
    return make_error(errc::limit_exceeded,
                      fmt::format("{}: file is {} bytes, more than the limit of {} (limit max-yaml-file-bytes)", file_name, text.size(),
                                  lim.max_file_bytes));
  try {
    std::string repaired;
    if (!is_valid_utf8(text)) {
      repaired = valid_utf8(text);
      text = repaired;
    }
    if (looks_like_json(text)) return decode_json_stream(text, file_name, lim);
    if (auto bad = check_characters(text, file_name)) return *bad;
    if (auto at = stray_flow_entry(text))
      return make_error(errc::invalid_yaml,
                        fmt::format("{}:{}:{}: did not find expected node content", file_name, at->first, at->second));
    if (auto over = detail::check_yaml_budget(text, file_name, lim)) return *over;
    std::vector<YAML::Node> nodes;
    try {
      nodes = YAML::LoadAll(std::string(text));
    } catch (const YAML::Exception& e) {
      if (e.mark.is_null()) return make_error(errc::invalid_yaml, fmt::format("{}: {}", file_name, e.msg));
      return make_error(errc::invalid_yaml,
                        fmt::format("{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    std::vector<rapidjson::Document> docs;
    converter conv(file_name, lim);
    for (const YAML::Node& node : nodes) {
      if (node.IsNull() || !node.IsDefined()) continue;
      if (docs.size() >= lim.max_documents)
        return make_error(errc::limit_exceeded, fmt::format("{}: more than {} documents", file_name, lim.max_documents));
      rapidjson::Document doc;
      conv.value(node, doc, doc.GetAllocator(), 0);
      docs.push_back(std::move(doc));
    }
    return docs;
  } catch (const failure& f) {
    return f.err;
  }
}

}  // namespace gitopsd::render
