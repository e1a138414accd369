#include "gitopsd/server/webhook_request.hpp"

namespace gitopsd::server {
namespace {

bool dns_label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-') return false;
  return true;
}

}  // namespace

std::optional<hook_target> parse_hook_path(std::string_view target) {
  target = target.substr(0, target.find('?'));
  constexpr std::string_view prefix = "/hook/";
  if (!target.starts_with(prefix)) return std::nullopt;
  target.remove_prefix(prefix.size());
  auto slash = target.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view ns = target.substr(0, slash), name = target.substr(slash + 1);
  if (!dns_label(ns) || !dns_label(name)) return std::nullopt;
  return hook_target{std::string(ns), std::string(name)};
}

bool is_ping(const event_headers& h) {
  return h.github_event == "ping" || h.gitea_event == "ping" || h.forgejo_event == "ping" ||
         h.bitbucket_event_key == "diagnostics:ping";
}

std::optional<int> screen(const request_head& head) {
  if (head.rate_limited) return 429;
  if (!head.post) return 405;
  if (!head.path_valid) return 404;
  if (head.content_length && *head.content_length > webhook_max_body) return 413;
  if (!head.working) return 503;
  return std::nullopt;
}

int judge(const request_verdict& v) {
  if (v.body_too_large) return 413;
  if (!v.opted_in) return 404;
  if (!v.signature_valid) return 401;
  return v.ping ? 200 : 202;
}

bool answered_after_floor(int status) { return status == 401 || status == 404; }

}  // namespace gitopsd::server
