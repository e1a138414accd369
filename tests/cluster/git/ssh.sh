#!/usr/bin/env bash
# SSH Git server for tests: Debian's sshd on a loopback port, key auth only, running as the
# current user, which may only run git commands (git-shell).
#   ssh.sh start STATE_DIR [--owner PID] [--command CMD]   (CMD: the key's only command instead of
#                                                        git-shell, for a hostile server)
#   ssh.sh stop STATE_DIR
# start prints shell assignments and writes them to STATE_DIR/info: HOST, PORT, USER,
# URL_PREFIX (ssh://USER@127.0.0.1:PORT, append the absolute path of a bare repository),
# IDENTITY (client private key), KNOWN_HOSTS (file with the server's host key line),
# KNOWN_HOSTS_LINE.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
log_prefix=git-ssh

start() {
  local state=$1 owner="" command='git-shell -c \"$SSH_ORIGINAL_COMMAND\"'
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --owner) owner=$2; shift 2 ;;
      --command) command=$2; shift 2 ;;
      *) die "unknown option $1" ;;
    esac
  done
  local sshd=/usr/sbin/sshd user
  [ -x "$sshd" ] || die "openssh-server is not installed (run make deps)"
  user=$(id -un)
  mkdir -p "$state" && chmod 700 "$state" && state=$(cd "$state" && pwd)
  pid_alive "$state/sshd.pid" >/dev/null && die "a server already runs in $state"
  # As root, sshd separates privileges into an empty chroot directory it expects to exist.
  if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then mkdir -p /run/sshd && chmod 755 /run/sshd; fi

  ssh-keygen -q -t ed25519 -N "" -C gitopsd-test-host -f "$state/host_key"
  ssh-keygen -q -t ed25519 -N "" -C gitopsd-test-client -f "$state/client_key"
  # The key may only run git's transport commands, nothing else (no shell, no forwarding).
  echo "restrict,command=\"$command\" $(cat "$state/client_key.pub")" >"$state/authorized_keys"
  chmod 600 "$state/authorized_keys"

  local port
  port=$(reserve_port "$state")
  cat >"$state/sshd_config" <<CONF
ListenAddress 127.0.0.1:$port
HostKey $state/host_key
PidFile none
AuthorizedKeysFile $state/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
AllowTcpForwarding no
X11Forwarding no
PermitTTY no
# The key file sits in a 0700 folder of our own; its parents (e.g. /tmp) need not be root-only.
StrictModes no
LogLevel VERBOSE
CONF
  "$sshd" -t -f "$state/sshd_config" >"$state/check.log" 2>&1 ||
    die "sshd rejects its configuration: $(cat "$state/check.log")"
  # -D: stay in the foreground so the pid is sshd's; -e: log to the log file.
  spawn "$state/sshd.pid" "$state/sshd.log" "$sshd" -D -e -f "$state/sshd_config"
  if ! wait_until 10 "sshd on port $port" ss_listening "$port"; then
    cat "$state/sshd.log" >&2 || true
    stop "$state"
    exit 1
  fi
  [ -n "$owner" ] && { add_owner "$state" "$owner"; start_watchdog "$state" "$0" stop "$state"; }

  local line
  line="[127.0.0.1]:$port $(cut -d' ' -f1,2 "$state/host_key.pub")"
  echo "$line" >"$state/known_hosts"
  {
    echo "HOST=127.0.0.1"
    echo "PORT=$port"
    echo "USER=$user"
    echo "URL_PREFIX=ssh://$user@127.0.0.1:$port"
    echo "IDENTITY=$state/client_key"
    echo "KNOWN_HOSTS=$state/known_hosts"
    echo "KNOWN_HOSTS_LINE='$line'"
  } >"$state/info"
  cat "$state/info"
}

stop() {
  local state=$1 wd
  [ -d "$state" ] || return 0
  stop_pid "$state/sshd.pid" 5
  release_ports "$state"
  if wd=$(pid_alive "$state/watchdog.pid") && [ "$wd" != $$ ]; then kill "$wd" 2>/dev/null || true; fi
  rm -rf "$state"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: $0 start STATE_DIR [--owner PID] [--command CMD] | stop STATE_DIR" ;;
esac
