// JSON to block YAML for `gitopsd build -o yaml`. Anything that would read back differently
// (a string spelled like a number, bool, null, timestamp or sexagesimal number; multi-line text;
// the merge key; a document marker) is double-quoted, and a string holding a character a YAML reader refuses or reads
// as a line break is written with escapes.
#include "gitopsd/render/yaml.hpp"
#include "yaml_scalar.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

namespace gitopsd::render {
namespace {

// DEL, C1 controls (NEL among them), the line and paragraph separators (breaks in YAML 1.1, which
// kubectl reads) and the non-characters U+FFFE/U+FFFF. yaml-cpp writes them raw unless asked to
// escape everything outside ASCII (and can only write the non-characters as U+FFFD). C0
// controls are escaped by yaml-cpp whenever it quotes.
bool needs_escapes(std::string_view s) {
  auto byte = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned c = byte(i);
    if (c == 0x7f) return true;
    if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) < 0xa0) return true;
    if (c == 0xe2 && byte(i + 1) == 0x80 && (byte(i + 2) == 0xa8 || byte(i + 2) == 0xa9)) return true;
    if (c == 0xef && byte(i + 1) == 0xbf && (byte(i + 2) == 0xbe || byte(i + 2) == 0xbf)) return true;
  }
  return false;
}

bool needs_quotes(std::string_view s) {
  if (s.empty() || s == "<<") return true;
  if (classify_plain(s) != scalar_kind::string) return true;
  if (detail::reads_as_time(s)) return true;
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20) return true;
  // Leading or trailing spaces are lost by plain scalars.
  if (s.front() == ' ' || s.back() == ' ') return true;
  // yaml-cpp writes "--- x" plain, which would read back as a document marker and "x".
  return (s.starts_with("---") || s.starts_with("...")) && (s.size() == 3 || s[3] == ' ');
}

void emit_string(YAML::Emitter& out, std::string_view s) {
  if (needs_escapes(s)) out << YAML::EscapeNonAscii << YAML::DoubleQuoted;
  else if (needs_quotes(s)) out << YAML::DoubleQuoted;
  out << std::string(s);
}

void emit(YAML::Emitter& out, const rapidjson::Value& v) {
  if (v.IsNull()) {
    out << YAML::Null;
  } else if (v.IsBool()) {
    out << v.GetBool();
  } else if (v.IsInt64()) {
    out << v.GetInt64();
  } else if (v.IsUint64()) {
    out << v.GetUint64();
  } else if (v.IsNumber()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    out << std::string(buf.GetString(), buf.GetSize());
  } else if (v.IsString()) {
    emit_string(out, {v.GetString(), v.GetStringLength()});
  } else if (v.IsArray()) {
    if (v.Empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& item : v.GetArray()) emit(out, item);
    out << YAML::EndSeq;
  } else {
    if (v.MemberCount() == 0) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& m : v.GetObject()) {
      out << YAML::Key;
      emit_string(out, {m.name.GetString(), m.name.GetStringLength()});
      out << YAML::Value;
      emit(out, m.value);
    }
    out << YAML::EndMap;
  }
}

}  // namespace

std::string to_yaml(const rapidjson::Value& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetBoolFormat(YAML::TrueFalseBool);
  out.SetNullFormat(YAML::LowerNull);
  emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace gitopsd::render
