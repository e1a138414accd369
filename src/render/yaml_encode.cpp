// JSON to block YAML for `gitopsd build -o yaml`. Anything that would read back differently
// (a string spelled like a number, bool or null; multi-line text; the merge key; a document
// marker) is double-quoted.
#include "gitopsd/render/yaml.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

namespace gitopsd::render {
namespace {

bool needs_quotes(std::string_view s) {
  if (s.empty() || s == "<<") return true;
  if (classify_plain(s) != scalar_kind::string) return true;
  for (char c : s)
    if (c == '\n' || c == '\r' || c == '\t') return true;
  // Leading or trailing spaces are lost by plain scalars.
  if (s.front() == ' ' || s.back() == ' ') return true;
  // yaml-cpp writes "--- x" plain, which would read back as a document marker and "x".
  return (s.starts_with("---") || s.starts_with("...")) && (s.size() == 3 || s[3] == ' ');
}

void emit_string(YAML::Emitter& out, std::string_view s) {
  if (needs_quotes(s)) out << YAML::DoubleQuoted;
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
