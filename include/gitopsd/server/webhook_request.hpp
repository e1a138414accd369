#pragma once
// The pure parts of the webhook endpoint: which GitRepository a path names, whether a request is
// a ping, and which status each request gets. The listener (webhook_server.hpp) only moves bytes
// and asks the agent; every decision is here, tested without sockets.

#include <optional>
#include <string>
#include <string_view>

namespace gitopsd::server {

inline constexpr std::size_t webhook_max_body = 1024 * 1024;

struct hook_target {
  std::string namespace_;
  std::string name;
  bool operator==(const hook_target&) const = default;
};

// "/hook/<namespace>/<name>", both RFC 1123 DNS labels (what GitRepository names are, since the
// name is a label value); an optional query is ignored. Anything else (percent escapes, dots,
// upper case, more segments, a trailing slash) is nullopt.
std::optional<hook_target> parse_hook_path(std::string_view target);

// Event headers that say "this is only a test of the hook": GitHub's X-GitHub-Event: ping,
// Bitbucket Server's X-Event-Key: diagnostics:ping, and "ping" from Gitea or Forgejo.
struct event_headers {
  std::string_view github_event;
  std::string_view gitea_event;
  std::string_view forgejo_event;
  std::string_view bitbucket_event_key;
};
bool is_ping(const event_headers& headers);

// What is known once the request header is read.
struct request_head {
  bool rate_limited = false;
  bool post = false;
  bool path_valid = false;
  std::optional<std::uint64_t> content_length;  // none: chunked or absent
  bool working = false;  // this replica leads (or there is no election) and its cache is synced
};

// The answer before the body is read, or nullopt: read the body and go on with `judge`.
// 429 > 405 > 404 (a malformed path, which names nothing) > 413 > 503.
std::optional<int> screen(const request_head& head);

// What is known once the body is read and the signature checked.
struct request_verdict {
  bool body_too_large = false;  // the body went past webhook_max_body while it was read
  bool opted_in = false;        // known GitRepository with spec.webhook and a Secret with a token
  bool signature_valid = false;
  bool ping = false;
};

// 413, 404 (unknown or not opted in), 401 (signature missing or bad), 200 (a valid ping: nothing
// triggered), 202 (accepted: reconcile now).
int judge(const request_verdict& v);

// 401 and 404 reveal whether a name exists unless they take the same time: both are answered no
// sooner than this after the body was read (a Secret read for a known name would otherwise show).
inline constexpr int reject_floor_ms = 250;
bool answered_after_floor(int status);

}  // namespace gitopsd::server
