#include "gitopsd/git/url.hpp"

#include "gitopsd/git/errc.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace gitopsd::git {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int default_port(std::string_view scheme) {
  if (scheme == "https") return 443;
  if (scheme == "http") return 80;
  if (scheme == "ssh") return 22;
  return 0;
}

bool valid_host(std::string_view h) {
  if (h.empty()) return false;
  if (h.front() == '[') return h.back() == ']';  // IPv6 literal
  return std::all_of(h.begin(), h.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_'; });
}

std::string key_of(const remote_url& u) {
  std::string path = u.path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.size() > 4 && path.ends_with(".git")) path.resize(path.size() - 4);
  std::string key = u.scheme + "://" + u.host;
  if (u.port != default_port(u.scheme)) key += ":" + std::to_string(u.port);
  return key + path;
}

// The text with its secrets hidden, for messages. A password may hold any character ('/', '@',
// ':'), so the user part ends at the last '@'. Over http(s) the whole user part goes (a token is
// often given as the user name); elsewhere (ssh's "git@") only what follows its first ':'. A path
// holding '@' may be hidden too, which is the safe mistake.
std::string redact(std::string_view text) {
  auto sep = text.find("://");
  std::size_t start = sep == std::string_view::npos ? 0 : sep + 3;
  auto at = text.rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  std::string scheme = sep == std::string_view::npos ? "" : lower(text.substr(0, sep));
  if (scheme == "http" || scheme == "https") return std::string(text.substr(0, start)) + "***" + std::string(text.substr(at));
  auto colon = text.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::string(text);
  std::string out(text.substr(0, colon + 1));
  out += "***";
  out += text.substr(at);
  return out;
}

}  // namespace

result<remote_url> parse_url(std::string_view text, bool allow_file) {
  const std::string shown = redact(text);
  auto invalid = [&](std::string_view why) {
    return make_error(errc::invalid_url, "invalid Git URL \"" + shown + "\": " + std::string(why));
  };
  if (text.empty()) return make_error(errc::invalid_url, "invalid Git URL: empty");
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; }))
    return invalid("contains blanks or control characters");

  remote_url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) {
    // scp-like syntax: [user@]host:path, where the host part has no '/'.
    auto colon = text.find(':');
    auto slash = text.find('/');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon))
      return invalid("not a URL (expected scheme://host/path or user@host:path)");
    std::string_view userhost = text.substr(0, colon);
    std::string_view path = text.substr(colon + 1);
    if (auto at = userhost.rfind('@'); at != std::string_view::npos) {
      u.user = std::string(userhost.substr(0, at));
      userhost = userhost.substr(at + 1);
    }
    if (!valid_host(userhost)) return invalid("bad host");
    if (path.empty()) return invalid("no repository path");
    u.scheme = "ssh";
    u.host = lower(userhost);
    u.port = 22;
    u.path = path.front() == '/' ? std::string(path) : "/" + std::string(path);
    u.for_git = shown;
    u.display = shown;
    u.cache_key = key_of(u);
    return u;
  }

  u.scheme = lower(text.substr(0, sep));
  std::string_view rest = text.substr(sep + 3);
  if (u.scheme == "file") {
    if (!allow_file) return make_error(errc::url_not_allowed, "Git URL \"" + shown + "\": file:// URLs are not allowed here");
    if (rest.empty() || rest.front() != '/') return invalid("file:// URLs need an absolute path");
    u.path = std::string(rest);
    u.for_git = std::string(text);
    u.display = shown;
    u.cache_key = key_of(u);
    return u;
  }
  if (u.scheme != "https" && u.scheme != "http" && u.scheme != "ssh")
    return make_error(errc::url_not_allowed,
                      "Git URL \"" + shown + "\": scheme \"" + u.scheme + "\" is not supported (https, http, ssh)");

  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view hostport = authority;
  bool had_password = false;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    hostport = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    had_password = colon != std::string_view::npos;
    u.user = std::string(userinfo.substr(0, colon));
  }
  std::string_view host = hostport;
  u.port = default_port(u.scheme);
  auto colon = hostport.rfind(':');
  if (colon != std::string_view::npos && hostport.find(']', colon) == std::string_view::npos) {
    host = hostport.substr(0, colon);
    std::string_view port = hostport.substr(colon + 1);
    int p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || ptr != port.data() + port.size() || p <= 0 || p > 65535) return invalid("bad port");
    u.port = p;
  }
  if (!valid_host(host)) return invalid("bad host");
  if (u.path == "/") return invalid("no repository path");
  u.host = lower(host);
  u.for_git = std::string(text);
  bool http = u.scheme == "http" || u.scheme == "https";
  std::string shown_user = http ? "***@" : u.user + (had_password ? ":***@" : "@");
  std::string shown_authority = (u.user.empty() && !had_password ? "" : shown_user) + std::string(hostport);
  u.display = u.scheme + "://" + shown_authority + u.path;
  // "user:12/pass@host" parses as host "user", port 12: whatever might be a password stays hidden.
  if (shown != text) u.display = shown;
  u.cache_key = key_of(u);
  return u;
}

std::string redact_url(std::string_view text) { return redact(text); }

}  // namespace gitopsd::git
