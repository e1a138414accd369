#include "gitopsd/core/log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <iostream>
#include <mutex>

namespace gitopsd::log {
namespace {

constexpr std::string_view redacted_text = "[redacted]";

struct state {
  format fmt = format::json;
  level min = level::info;
  std::ostream* out = &std::clog;
  std::mutex mutex;  // logging may come from the thread pool too
};

state& global() {
  static state s;
  return s;
}

std::string_view name_of(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c <= ' ' || c == '"' || c == '=' || c == '\\'; });
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string timestamp_now() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now - seconds).count();
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", seconds, millis);
}

}  // namespace

std::optional<level> parse_level(std::string_view text) {
  for (level l : {level::debug, level::info, level::warn, level::error})
    if (name_of(l) == text) return l;
  return std::nullopt;
}

std::optional<format> parse_format(std::string_view text) {
  if (text == "json") return format::json;
  if (text == "text") return format::text;
  return std::nullopt;
}

bool is_sensitive_key(std::string_view key) {
  static constexpr std::array<std::string_view, 9> words{"password", "passwd", "token",       "secret",  "identity",
                                                         "authorization", "credential", "private", "ca.key"};
  std::string k = lower(key);
  return std::any_of(words.begin(), words.end(), [&](std::string_view w) { return k.find(w) != std::string::npos; });
}

std::string render(format f, level l, std::string_view timestamp, std::string_view message,
                   std::initializer_list<field> fields) {
  // Each value as text, or the redaction marker; numbers and booleans keep their JSON type.
  auto text_of = [](const field& fl) -> std::optional<std::string> {
    if (is_sensitive_key(fl.key) || std::holds_alternative<redacted>(fl.value)) return std::string(redacted_text);
    if (auto* s = std::get_if<std::string>(&fl.value)) return *s;
    return std::nullopt;
  };
  if (f == format::json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    auto str = [&w](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
    w.StartObject();
    str("ts"), str(timestamp);
    str("level"), str(name_of(l));
    str("msg"), str(message);
    for (const field& fl : fields) {
      str(fl.key);
      if (auto text = text_of(fl)) str(*text);
      else if (auto* i = std::get_if<std::int64_t>(&fl.value)) w.Int64(*i);
      else if (auto* d = std::get_if<double>(&fl.value)) w.Double(*d);
      else if (auto* b = std::get_if<bool>(&fl.value)) w.Bool(*b);
    }
    w.EndObject();
    return {buffer.GetString(), buffer.GetSize()};
  }
  std::string line = fmt::format("{} {:<5} {}", timestamp, name_of(l), message);
  for (const field& fl : fields) {
    std::string value;
    if (auto text = text_of(fl)) value = needs_quotes(*text) ? quote(*text) : *text;
    else if (auto* i = std::get_if<std::int64_t>(&fl.value)) value = std::to_string(*i);
    else if (auto* d = std::get_if<double>(&fl.value)) value = fmt::format("{}", *d);
    else if (auto* b = std::get_if<bool>(&fl.value)) value = *b ? "true" : "false";
    line += fmt::format(" {}={}", fl.key, value);
  }
  return line;
}

void configure(format f, level min_level, std::ostream* out) {
  state& s = global();
  std::lock_guard lock(s.mutex);
  s.fmt = f;
  s.min = min_level;
  if (out != nullptr) s.out = out;
}

bool enabled(level l) { return l >= global().min; }

void write(level l, std::string_view message, std::initializer_list<field> fields) {
  state& s = global();
  if (l < s.min) return;
  std::string line = render(s.fmt, l, timestamp_now(), message, fields);
  std::lock_guard lock(s.mutex);
  *s.out << line << '\n' << std::flush;
}

}  // namespace gitopsd::log
