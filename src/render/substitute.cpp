// Substitution with the grammar of the envsubst library Flux uses: outside braces only `${` and
// `$$` are special (a bare `$var` stays as written); inside, a name is followed by `}`, a default
// (`:=`, `:-`, `:?`, `:+`, `=`; all give the value when it is non-empty, else the default), a
// substring (`:offset[:length]`), a case change (`^`, `^^`, `,`, `,,`) or is the argument of `#`
// (length). Defaults and substring arguments may hold nested expressions; an explicit stack keeps
// the work linear and the nesting bounded.
#include "gitopsd/render/substitute.hpp"

#include "gitopsd/core/json.hpp"
#include "gitopsd/render/errc.hpp"
#include "gitopsd/render/yaml.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

namespace gitopsd::render {
namespace {

constexpr std::size_t max_nesting = 64;

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// The library reads Unicode letters and digits as name characters; bytes of multi-byte UTF-8
// are taken as such (such a name can never be defined, so it only decides empty vs. error).
bool is_name_char(char c) { return is_ascii_alpha(c) || is_digit(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }

// Go's strconv.Atoi: optional sign, decimal digits, no spaces, 64-bit range.
std::optional<std::int64_t> go_atoi(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string substring(const std::string& s, const std::vector<std::string>& args) {
  auto pos = go_atoi(args[0]);
  if (!pos) return s;  // as bash: an offset that is not a number gives the whole value
  auto n = static_cast<std::int64_t>(s.size());
  std::int64_t p = *pos;
  if (p < 0) p = std::max<std::int64_t>(n + p, 0);
  if (args.size() == 1) return p < n ? s.substr(static_cast<std::size_t>(p)) : std::string();
  auto len = go_atoi(args[1]);
  if (!len) return s;
  if (*len < 0) return {};  // the library fails on this; nothing is the closest safe answer
  if (p >= n) return {};
  if (*len >= n - p) return s.substr(static_cast<std::size_t>(p));
  return s.substr(static_cast<std::size_t>(p), static_cast<std::size_t>(*len));
}

std::string change_case(std::string s, std::string_view op) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
  if (op == ",,") for (auto& c : s) c = lower(c);
  else if (op == "^^") for (auto& c : s) c = upper(c);
  else if (op == "," && !s.empty()) s[0] = lower(s[0]);
  else if (op == "^" && !s.empty()) s[0] = upper(s[0]);
  return s;  // a mixed pair (",^") leaves the value as it is, as the library does
}

enum class state { default_args, substr_arg1, substr_delim, substr_arg2, substr_close };

struct frame {
  std::string name;
  std::string op;  // ":=", ":-", ":?", ":+", "=" or ":"
  state at = state::default_args;
  std::vector<std::string> args;
  std::size_t start = 0;  // offset of its "${", for messages
};

class evaluator {
 public:
  evaluator(std::string_view text, const substitution& s) : t_(text), s_(s) {}

  result<std::string> run() {
    while (i_ < t_.size() || !stack_.empty()) {
      auto r = stack_.empty() ? top_level() : step();
      if (!r) return r.error();
      if (out_.size() > s_.max_output_bytes)
        return make_error(errc::limit_exceeded, fmt::format("variable substitution: the result exceeds {} bytes", s_.max_output_bytes));
    }
    return std::move(out_);
  }

 private:
  bool opens(std::size_t at) const { return at + 1 < t_.size() && t_[at] == '$' && t_[at + 1] == '{'; }

  error fail(std::string_view what, std::size_t at) const {
    std::size_t line = 1;
    for (std::size_t k = 0; k < at && k < t_.size(); ++k) line += t_[k] == '\n';
    return make_error(errc::invalid_manifest, fmt::format("variable substitution failed at line {}: {}", line, what));
  }

  result<void> top_level() {
    std::size_t next = t_.find('$', i_);
    if (next == std::string_view::npos) {
      out_.append(t_.substr(i_));
      i_ = t_.size();
      return {};
    }
    out_.append(t_.substr(i_, next - i_));
    i_ = next;
    if (opens(i_)) return open();
    if (i_ + 1 < t_.size() && t_[i_ + 1] == '$') {  // "$$" is one literal "$"
      out_ += '$';
      i_ += 2;
      return {};
    }
    out_ += '$';
    ++i_;
    return {};
  }

  std::string_view name_at() {
    std::size_t b = i_;
    while (i_ < t_.size() && is_name_char(t_[i_])) ++i_;
    return t_.substr(b, i_ - b);
  }

  const std::string* lookup(const std::string& name) const {
    auto it = s_.vars.find(name);
    return it == s_.vars.end() ? nullptr : &it->second;
  }

  result<std::string> value_of(const std::string& name, bool has_default, std::size_t at) const {
    const std::string* v = lookup(name);
    if (v == nullptr && s_.strict && !has_default)
      return fail(fmt::format("variable not set (strict mode): \"{}\"", name), at);
    return v == nullptr ? std::string() : *v;
  }

  // After "${": a whole simple expression is evaluated here; one with arguments becomes a frame.
  result<void> open() {
    std::size_t start = i_;
    i_ += 2;
    if (stack_.size() >= max_nesting)
      return make_error(errc::limit_exceeded,
                        fmt::format("variable substitution: expressions nested deeper than {}", max_nesting));
    if (i_ < t_.size() && t_[i_] == '#') {
      ++i_;
      std::string name(name_at());
      if (name.empty() || i_ >= t_.size() || t_[i_] != '}') return fail("bad substitution", start);
      ++i_;
      auto v = value_of(name, false, start);
      if (!v) return v.error();
      return deliver(std::to_string(v->size()));
    }
    std::string name(name_at());
    if (name.empty()) return fail("unable to parse variable name", start);
    char c = i_ < t_.size() ? t_[i_] : '\0';
    if (c == '}') {
      ++i_;
      auto v = value_of(name, false, start);
      if (!v) return v.error();
      return deliver(std::move(*v));
    }
    if (c == ',' || c == '^') {
      std::size_t b = i_;
      while (i_ < t_.size() && i_ - b < 2 && (t_[i_] == ',' || t_[i_] == '^')) ++i_;
      std::string op(t_.substr(b, i_ - b));
      if (i_ >= t_.size() || t_[i_] != '}') return fail("bad substitution", start);
      ++i_;
      auto v = value_of(name, false, start);
      if (!v) return v.error();
      return deliver(change_case(std::move(*v), op));
    }
    if (c == '/' || c == '#' || c == '%')
      return make_error(errc::unsupported, fmt::format("variable substitution: the pattern functions ${{{}{}...}} "
                                                       "(replace, remove prefix or suffix) are not supported", name, c));
    frame f{name, {}, state::default_args, {}, start};
    if (c == '=') {
      f.op = "=";
      ++i_;
    } else if (c == ':') {
      char d = i_ + 1 < t_.size() ? t_[i_ + 1] : '\0';
      if (d == '=' || d == '-' || d == '?' || d == '+') {
        f.op = std::string{':', d};
        i_ += 2;
      } else {
        f.op = ":";
        f.at = state::substr_arg1;
        ++i_;
      }
    } else {
      return fail("missing closing brace", start);
    }
    stack_.push_back(std::move(f));
    return {};
  }

  // Text of an argument: up to the first of `stops`, a "${" or the end.
  std::string_view text_until(std::string_view stops) {
    std::size_t b = i_;
    while (i_ < t_.size() && stops.find(t_[i_]) == std::string_view::npos && !opens(i_)) ++i_;
    return t_.substr(b, i_ - b);
  }

  result<void> step() {
    frame& f = stack_.back();
    bool at_end = i_ >= t_.size();
    switch (f.at) {
      case state::default_args:
        if (at_end) return fail("unable to parse substitution within function", f.start);
        if (t_[i_] == '}') {
          ++i_;
          return close();
        }
        if (opens(i_)) return open();
        f.args.emplace_back(text_until("}"));
        return {};
      case state::substr_arg1:
        if (at_end || t_[i_] == ':' || t_[i_] == '}') return fail("unable to parse substitution within function", f.start);
        if (opens(i_)) return open();
        f.args.emplace_back(text_until(":}"));
        f.at = state::substr_delim;
        return {};
      case state::substr_delim:
        if (!at_end && t_[i_] == '}') {
          ++i_;
          return close();
        }
        if (at_end || t_[i_] != ':') return fail("bad substitution", f.start);
        while (i_ < t_.size() && t_[i_] == ':') ++i_;
        f.at = state::substr_arg2;
        return {};
      case state::substr_arg2:
        if (at_end || t_[i_] == '}') return fail("unable to parse substitution within function", f.start);
        if (opens(i_)) return open();
        f.args.emplace_back(text_until("}"));
        f.at = state::substr_close;
        return {};
      case state::substr_close:
        if (at_end || t_[i_] != '}') return fail("bad substitution", f.start);
        ++i_;
        return close();
    }
    return {};
  }

  // The innermost frame is complete: evaluate it and hand the value to its parent.
  result<void> close() {
    frame f = std::move(stack_.back());
    stack_.pop_back();
    bool is_default = f.op != ":";
    auto v = value_of(f.name, is_default, f.start);
    if (!v) return v.error();
    if (!is_default) return deliver(substring(*v, f.args));
    if (v->empty())
      for (const auto& a : f.args) *v += a;
    return deliver(std::move(*v));
  }

  result<void> deliver(std::string value) {
    if (stack_.empty()) {
      out_ += value;
      return {};
    }
    frame& parent = stack_.back();
    if (parent.args.size() + value.size() > s_.max_output_bytes)
      return make_error(errc::limit_exceeded, fmt::format("variable substitution: the result exceeds {} bytes", s_.max_output_bytes));
    switch (parent.at) {
      case state::default_args: parent.args.push_back(std::move(value)); break;
      case state::substr_arg1:
        parent.args.push_back(std::move(value));
        parent.at = state::substr_delim;
        break;
      case state::substr_arg2:
        parent.args.push_back(std::move(value));
        parent.at = state::substr_close;
        break;
      case state::substr_delim:
      case state::substr_close: break;  // not reached: no expression opens in these states
    }
    return {};
  }

  std::string_view t_;
  const substitution& s_;
  std::size_t i_ = 0;
  std::string out_;
  std::vector<frame> stack_;
};

bool disabled_in(const rapidjson::Value& object, const char* field) {
  auto v = json::get_string(object, "metadata", field, substitute_key);
  return v && *v == "disabled";
}

}  // namespace

bool valid_variable_name(std::string_view name) {
  if (name.empty() || !(is_ascii_alpha(name[0]) || name[0] == '_')) return false;
  for (char c : name)
    if (!(is_ascii_alpha(c) || is_digit(c) || c == '_')) return false;
  return true;
}

result<void> check_variable_names(const variables& vars) {
  for (const auto& [name, _] : vars)
    if (!valid_variable_name(name))
      return make_error(errc::invalid_manifest, fmt::format("'{}' var name is invalid, must match '{}'", name, variable_name_rule));
  return {};
}

std::string variable_value(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw)
    if (c != '\n') out += c;
  return out;
}

result<std::string> substitute_text(std::string_view text, const substitution& s) { return evaluator(text, s).run(); }

bool substitution_disabled(const rapidjson::Value& object) {
  return disabled_in(object, "labels") || disabled_in(object, "annotations");
}

result<void> substitute_objects(std::vector<manifest>& objects, const substitution& s, const limits& lim) {
  if (s.vars.empty()) return {};
  bool checked = false;
  for (auto& m : objects) {
    if (substitution_disabled(m.object)) continue;
    if (!checked) {
      if (auto ok = check_variable_names(s.vars); !ok) return ok.error();
      checked = true;
    }
    auto name = [&] {
      return fmt::format("{} ({}/{})", m.origin, json::get_string(m.object, "kind").value_or("?"),
                         json::get_string(m.object, "metadata", "name").value_or("?"));
    };
    std::string text = to_yaml(m.object);
    auto replaced = substitute_text(text, s);
    if (!replaced) return replaced.error().wrap(name());
    if (*replaced == text) continue;
    // The result must still be one object: a value that breaks the YAML fails this object clearly.
    auto docs = decode_documents(*replaced, m.origin, lim);
    // A budget's message quotes no text: it says which budget the grown object passed.
    if (!docs && docs.error().code == errc::limit_exceeded)
      return docs.error().wrap(fmt::format("{}: after variable substitution", name()));
    if (!docs) {
      // Only the position: the reader's message may quote the text, which may hold a Secret's value.
      std::string what = docs.error().what();
      auto cut = what.find(": ", m.origin.size());
      std::string where = cut == std::string::npos ? std::string() : " (" + what.substr(0, cut) + " of the substituted text)";
      return make_error(errc::invalid_manifest,
                        fmt::format("{}: after variable substitution the object is not valid YAML{}", name(), where));
    }
    if (docs->size() != 1 || !(*docs)[0].IsObject())
      return make_error(errc::invalid_manifest, fmt::format("{}: after variable substitution the text is not one object", name()));
    auto& object = (*docs)[0];
    auto kind = json::get_string(object, "kind");
    auto api = json::get_string(object, "apiVersion");
    auto obj_name = json::get_string(object, "metadata", "name");
    if (!kind || kind->empty() || !api || api->empty() || !obj_name || obj_name->empty())
      return make_error(errc::invalid_manifest, fmt::format("{}: after variable substitution apiVersion, kind or "
                                                            "metadata.name is missing or empty", name()));
    if (auto ok = check_namespace(object, m.origin); !ok) return ok.error().wrap("after variable substitution");
    m.object = std::move(object);
  }
  return {};
}

}  // namespace gitopsd::render
