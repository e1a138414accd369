#include "gitopsd/git/errc.hpp"
#include "gitopsd/git/url.hpp"

#include <catch2/catch.hpp>

using namespace gitopsd::git;

TEST_CASE("https and http URLs parse and normalize", "[url]") {
  auto u = parse_url("https://GitHub.com/org/repo.git", false);
  REQUIRE(u.has_value());
  CHECK(u->scheme == "https");
  CHECK(u->host == "github.com");
  CHECK(u->port == 443);
  CHECK(u->path == "/org/repo.git");
  CHECK(u->cache_key == "https://github.com/org/repo");
  CHECK(parse_url("https://github.com:443/org/repo/", false)->cache_key == "https://github.com/org/repo");
  CHECK(parse_url("http://127.0.0.1:8080/r.git", false)->cache_key == "http://127.0.0.1:8080/r");
}

TEST_CASE("passwords in URLs never reach display text or messages", "[url]") {
  auto u = parse_url("https://bob:s3cret@example.com/org/repo", false);
  REQUIRE(u.has_value());
  CHECK(u->display == "https://***@example.com/org/repo");
  CHECK(u->for_git == "https://bob:s3cret@example.com/org/repo");
  CHECK(u->cache_key == "https://example.com/org/repo");
  auto bad = parse_url("https://bob:s3cret@example.com:99999/org/repo", false);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().message == "invalid Git URL \"https://***@example.com:99999/org/repo\": bad port");
}

TEST_CASE("a password holding '/', '@' or ':' is hidden whatever else the URL holds", "[url]") {
  for (const char* url : {"https://bob:pa/ss@example.com/org/repo", "https://bob:p@ss:w/rd@example.com:99999/org/repo",
                          "ssh://git:x/y@example.com:bad/repo", "https://bob:pa/ss@", "https://bob:12/pa/ss@example.com/org"}) {
    auto u = parse_url(url, false);
    std::string text = u ? u->display : u.error().message;
    INFO(text);
    CHECK(text.find("pa/ss") == std::string::npos);
    CHECK(text.find("w/rd") == std::string::npos);
    CHECK(text.find("x/y") == std::string::npos);
    CHECK(text.find("***") != std::string::npos);
  }
}

TEST_CASE("ssh and scp-like URLs share a cache key", "[url]") {
  auto scp = parse_url("git@Example.com:org/repo.git", false);
  REQUIRE(scp.has_value());
  CHECK(scp->scheme == "ssh");
  CHECK(scp->user == "git");
  CHECK(scp->port == 22);
  CHECK(scp->path == "/org/repo.git");
  auto ssh = parse_url("ssh://git@example.com/org/repo", false);
  REQUIRE(ssh.has_value());
  CHECK(ssh->cache_key == scp->cache_key);
  auto port = parse_url("ssh://git@127.0.0.1:2222/srv/repo.git", false);
  REQUIRE(port.has_value());
  CHECK(port->port == 2222);
  CHECK(port->cache_key == "ssh://127.0.0.1:2222/srv/repo");
}

TEST_CASE("file URLs only when allowed, other schemes refused", "[url]") {
  auto refused = parse_url("file:///etc", false);
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == errc::url_not_allowed);
  CHECK(refused.error().message == "Git URL \"file:///etc\": file:// URLs are not allowed here");
  auto allowed = parse_url("file:///tmp/repo", true);
  REQUIRE(allowed.has_value());
  CHECK(allowed->path == "/tmp/repo");
  auto ftp = parse_url("ftp://host/repo", true);
  REQUIRE_FALSE(ftp.has_value());
  CHECK(ftp.error().code == errc::url_not_allowed);
  CHECK(ftp.error().message == "Git URL \"ftp://host/repo\": scheme \"ftp\" is not supported (https, http, ssh)");
}

TEST_CASE("malformed URLs say what is wrong", "[url]") {
  auto msg = [](const char* text) {
    auto u = parse_url(text, true);
    REQUIRE_FALSE(u.has_value());
    CHECK(u.error().code == errc::invalid_url);
    return u.error().message;
  };
  CHECK(msg("") == "invalid Git URL: empty");
  CHECK(msg("/local/path") == "invalid Git URL \"/local/path\": not a URL (expected scheme://host/path or user@host:path)");
  CHECK(msg("https://host") == "invalid Git URL \"https://host\": no repository path");
  CHECK(msg("https://ho st/r") == "invalid Git URL \"https://ho st/r\": contains blanks or control characters");
  CHECK(msg("https://h$st/r") == "invalid Git URL \"https://h$st/r\": bad host");
  CHECK(msg("git@host:") == "invalid Git URL \"git@host:\": no repository path");
  CHECK(msg("file://relative") == "invalid Git URL \"file://relative\": file:// URLs need an absolute path");
}

TEST_CASE("a token given as the user name of an http(s) URL is hidden too, ssh's user is not", "[url]") {
  auto token = parse_url("https://ghp_secret123@github.com/org/repo", false);
  REQUIRE(token.has_value());
  CHECK(token->display == "https://***@github.com/org/repo");
  CHECK(token->for_git == "https://ghp_secret123@github.com/org/repo");
  auto ssh = parse_url("ssh://git@example.com/org/repo", false);
  REQUIRE(ssh.has_value());
  CHECK(ssh->display == "ssh://git@example.com/org/repo");
  CHECK(redact_url("user:t0ken@host/repo") == "user:***@host/repo");
  CHECK(redact_url("HTTPS://u:p#ss@h/r") == "HTTPS://***@h/r");
  CHECK(redact_url("https://h/r") == "https://h/r");
}
