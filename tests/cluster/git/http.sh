#!/usr/bin/env bash
# Smart-HTTP Git server for tests: lighttpd runs git-http-backend as CGI behind basic auth.
#   http.sh start STATE_DIR REPO_ROOT [--tls CA_DIR] [--owner PID]
#   http.sh stop STATE_DIR
# start prints shell assignments (URL, USERNAME, PASSWORD, CA) and writes them to STATE_DIR/info.
# REPO_ROOT holds bare repositories, served as URL/<name>.git. With --tls the server certificate
# is signed by the CA in CA_DIR (ca.crt + ca.key; created there if missing). With --owner the server
# is stopped when that process is gone.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
log_prefix=git-http

backend=/usr/lib/git-core/git-http-backend

start() {
  local state=$1 root=$2 ca="" owner=""
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --tls) ca=$2; shift 2 ;;
      --owner) owner=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  command -v lighttpd >/dev/null || die "lighttpd is not installed (run make deps)"
  [ -x "$backend" ] || die "$backend is missing (package git)"
  [ -d "$root" ] || die "repository root $root does not exist"
  root=$(cd "$root" && pwd)
  mkdir -p "$state" && state=$(cd "$state" && pwd)
  pid_alive "$state/lighttpd.pid" >/dev/null && die "a server already runs in $state"

  local port user=git-user password scheme=http
  port=$(reserve_port "$state")
  password=$(random_token)
  # htpasswd format with a SHA-256 crypt hash, which lighttpd's htpasswd backend accepts.
  echo "$user:$(openssl passwd -5 "$password")" >"$state/htpasswd"
  chmod 600 "$state/htpasswd"

  local tls_conf=""
  if [ -n "$ca" ]; then
    pki_ca "$ca"
    ca=$(cd "$ca" && pwd)
    pki_cert "$ca" "$state" server "/CN=localhost" server DNS:localhost IP:127.0.0.1
    cat "$state/server.crt" "$state/server.key" >"$state/server.pem"
    chmod 600 "$state/server.pem"
    tls_conf="ssl.engine = \"enable\"
ssl.pemfile = \"$state/server.pem\""
    scheme=https
    server_modules=', "mod_openssl"'
  fi

  cat >"$state/lighttpd.conf" <<CONF
server.modules = ("mod_alias", "mod_auth", "mod_authn_file", "mod_cgi", "mod_setenv"${server_modules:-})
server.bind = "127.0.0.1"
server.port = $port
server.document-root = "$root"
server.errorlog = "$state/error.log"
server.upload-dirs = ("$state")
$tls_conf
# Every path goes to git-http-backend; the rest of the URL is its PATH_INFO.
alias.url = ("/" => "$backend/")
cgi.assign = ("" => "")
setenv.add-environment = ("GIT_PROJECT_ROOT" => "$root", "GIT_HTTP_EXPORT_ALL" => "1")
auth.backend = "htpasswd"
auth.backend.htpasswd.userfile = "$state/htpasswd"
auth.require = ("/" => ("method" => "basic", "realm" => "git", "require" => "valid-user"))
CONF
  lighttpd -tt -f "$state/lighttpd.conf" >"$state/check.log" 2>&1 ||
    die "lighttpd rejects its configuration: $(cat "$state/check.log")"
  spawn "$state/lighttpd.pid" "$state/lighttpd.log" lighttpd -D -f "$state/lighttpd.conf"
  if ! wait_until 10 "lighttpd on port $port" ss_listening "$port"; then
    cat "$state/lighttpd.log" "$state/error.log" >&2 2>/dev/null || true
    stop "$state"
    exit 1
  fi
  [ -n "$owner" ] && { add_owner "$state" "$owner"; start_watchdog "$state" "$0" stop "$state"; }

  {
    echo "URL=$scheme://127.0.0.1:$port"
    echo "USERNAME=$user"
    echo "PASSWORD=$password"
    echo "CA=${ca:+$ca/ca.crt}"
  } >"$state/info"
  cat "$state/info"
}

stop() {
  local state=$1
  [ -d "$state" ] || return 0
  stop_pid "$state/lighttpd.pid" 5
  release_ports "$state"
  local wd
  if wd=$(pid_alive "$state/watchdog.pid") && [ "$wd" != $$ ]; then kill "$wd" 2>/dev/null || true; fi
  rm -rf "$state"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: $0 start STATE_DIR REPO_ROOT [--tls CA_DIR] [--owner PID] | stop STATE_DIR" ;;
esac
