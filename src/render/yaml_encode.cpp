// JSON to block YAML for `gitopsd build -o yaml`. Anything that would read back differently
// (a string spelled like a number, bool, null, timestamp or sexagesimal number; multi-line text;
// the merge key; a document marker) is double-quoted, and a string holding a character a YAML reader refuses or reads
// as a line break is written with escapes.
#include "gitopsd/render/yaml.hpp"
#include "yaml_quote.hpp"
#include "yaml_scalar.hpp"

#include <fmt/format.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <random>
#include <vector>

namespace gitopsd::render {
namespace {

// DEL, C1 controls (NEL among them), the line and paragraph separators (breaks in YAML 1.1, which
// kubectl reads) and the non-characters U+FFFE/U+FFFF. yaml-cpp writes them raw unless asked to
// escape everything outside ASCII (and then writes every non-character as U+FFFD: strings holding
// one are quoted by yaml_quote.hpp instead). C0 controls are escaped by yaml-cpp whenever it quotes.
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

// Quoted strings holding a non-character, which yaml-cpp would change: each is emitted as a plain
// marker holding `nonce`, and its own double-quoted text put in its place afterwards.
struct own_quotes {
  std::string nonce;
  std::vector<std::string> texts;
};

// The length of `s` as the emitter writes it, at most: plain, or double-quoted with escapes.
std::size_t written_length(std::string_view s) {
  if (s.size() <= 100) return s.size();  // an escape is at most 10 characters for up to 4 bytes
  return needs_escapes(s) || needs_quotes(s) ? detail::double_quoted(s).size() : s.size();
}

void emit_string(YAML::Emitter& out, std::string_view s, own_quotes* own, bool key) {
  bool escapes = needs_escapes(s);
  if (!escapes && !needs_quotes(s)) {
    out << std::string(s);
    return;
  }
  if (own != nullptr && detail::has_noncharacter(s)) {
    if (own->nonce.empty()) {
      thread_local std::mt19937_64 random{std::random_device{}()};
      own->nonce = fmt::format("gitopsd{:016x}", random());
    }
    std::string text = detail::double_quoted(s);
    // An implicit key holds at most 1024 characters; a longer one is left to yaml-cpp.
    if (!key || text.size() < 1000) {
      out << fmt::format("{}n{}", own->nonce, own->texts.size());
      own->texts.push_back(std::move(text));
      return;
    }
  }
  if (escapes) out << YAML::EscapeNonAscii;
  out << YAML::DoubleQuoted << std::string(s);
}

void emit(YAML::Emitter& out, const rapidjson::Value& v, own_quotes* own) {
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
    emit_string(out, {v.GetString(), v.GetStringLength()}, own, false);
  } else if (v.IsArray()) {
    if (v.Empty()) {
      out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
      return;
    }
    out << YAML::BeginSeq;
    for (const auto& item : v.GetArray()) emit(out, item, own);
    out << YAML::EndSeq;
  } else {
    if (v.MemberCount() == 0) {
      out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
      return;
    }
    out << YAML::BeginMap;
    for (const auto& m : v.GetObject()) {
      // An implicit key holds at most 1024 characters: a longer one (as written, escapes and all)
      // is written as an explicit key (`? key`).
      if (written_length({m.name.GetString(), m.name.GetStringLength()}) > 1000) out << YAML::LongKey;
      out << YAML::Key;
      emit_string(out, {m.name.GetString(), m.name.GetStringLength()}, own, true);
      out << YAML::Value;
      emit(out, m.value, own);
    }
    out << YAML::EndMap;
  }
}

}  // namespace

namespace {

std::string emit_document(const rapidjson::Value& value, own_quotes* own) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetBoolFormat(YAML::TrueFalseBool);
  out.SetNullFormat(YAML::LowerNull);
  emit(out, value, own);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

// Puts each marker's text in its place; false when the nonce is not where the markers alone put it.
bool place_own_quotes(std::string& text, const own_quotes& own) {
  std::size_t seen = 0;
  for (std::size_t at = text.find(own.nonce); at != std::string::npos; at = text.find(own.nonce, at + 1)) ++seen;
  if (seen != own.texts.size()) return false;
  for (std::size_t i = own.texts.size(); i-- > 0;) {
    std::string marker = fmt::format("{}n{}", own.nonce, i);
    std::size_t at = text.find(marker);
    std::size_t end = at == std::string::npos ? at : at + marker.size();
    if (at == std::string::npos || (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))) return false;
    text.replace(at, marker.size(), own.texts[i]);
  }
  return true;
}

}  // namespace

std::string to_yaml(const rapidjson::Value& value) {
  own_quotes own;
  std::string text = emit_document(value, &own);
  if (own.texts.empty() || place_own_quotes(text, own)) return text;
  return emit_document(value, nullptr);  // the nonce was in the data too: yaml-cpp's quoting
}

}  // namespace gitopsd::render
