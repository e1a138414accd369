#pragma once
// Git remote URLs: https, http, ssh, scp-like "git@host:org/repo", and file:// when allowed.

#include "gitopsd/core/error.hpp"

#include <string>
#include <string_view>

namespace gitopsd::git {

struct remote_url {
  std::string scheme;  // "https", "http", "ssh" or "file"
  std::string user;    // user name given in the URL (ssh), may be empty
  std::string host;    // lower-case; empty for file
  int port = 0;        // the explicit port, or the scheme's default (0 for file)
  std::string path;    // always starts with '/'
  std::string for_git;  // the text libgit2 is given
  std::string display;  // the URL without any password, for messages and logs
  std::string cache_key;  // same repository => same key: no user, default port, no trailing ".git" or "/"
};

// errc::invalid_url or errc::url_not_allowed (file:// without allow_file, unknown scheme).
result<remote_url> parse_url(std::string_view text, bool allow_file);

// The text with anything that may be a password hidden, for messages about URLs that did not parse.
std::string redact_url(std::string_view text);

}  // namespace gitopsd::git
