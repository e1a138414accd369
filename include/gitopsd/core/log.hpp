#pragma once
// Structured logging: one JSON object per line (default) or a human-readable line, with levels.
// Values under keys that name credentials, and values wrapped in `redacted`, are never printed.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace gitopsd::log {

enum class level { debug, info, warn, error };
enum class format { json, text };

std::optional<level> parse_level(std::string_view text);
std::optional<format> parse_format(std::string_view text);

// Wraps a value that must not reach the log (a token, a password, a Secret's data).
struct redacted {
  std::string_view value;
};

struct field {
  using value_type = std::variant<std::string, std::int64_t, double, bool, redacted>;
  std::string_view key;
  value_type value;

  field(std::string_view k, std::string_view v) : key(k), value(std::string(v)) {}
  field(std::string_view k, const char* v) : key(k), value(std::string(v)) {}
  field(std::string_view k, const std::string& v) : key(k), value(v) {}
  field(std::string_view k, redacted v) : key(k), value(v) {}
  field(std::string_view k, bool v) : key(k), value(v) {}
  field(std::string_view k, double v) : key(k), value(v) {}
  template <class Int>
    requires std::is_integral_v<Int>
  field(std::string_view k, Int v) : key(k), value(static_cast<std::int64_t>(v)) {}
};

// True for keys such as "password", "token", "bearerToken", "identity", "authorization".
bool is_sensitive_key(std::string_view key);

void configure(format f, level min_level, std::ostream* out = nullptr);
bool enabled(level l);
void write(level l, std::string_view message, std::initializer_list<field> fields = {});

// Renders one line without writing it (for tests and for the writer itself).
std::string render(format f, level l, std::string_view timestamp, std::string_view message,
                   std::initializer_list<field> fields);

inline void debug(std::string_view m, std::initializer_list<field> f = {}) { write(level::debug, m, f); }
inline void info(std::string_view m, std::initializer_list<field> f = {}) { write(level::info, m, f); }
inline void warn(std::string_view m, std::initializer_list<field> f = {}) { write(level::warn, m, f); }
inline void error(std::string_view m, std::initializer_list<field> f = {}) { write(level::error, m, f); }

}  // namespace gitopsd::log
