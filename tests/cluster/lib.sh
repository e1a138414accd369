# Shared shell helpers of the test harness: logging, free ports, pid files, waiting, certificates.
# Sourced by cluster.sh and the git server scripts; defines functions only.

log() { echo "${log_prefix:-harness}: $*" >&2; }
die() { log "$*"; exit 1; }

harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Reservations live outside any one state dir so that harnesses of other checkouts see them.
port_registry=${GITOPSD_PORT_REGISTRY:-${TMPDIR:-/tmp}/gitopsd-test-ports}

# reserve_port STATE_DIR: prints a free loopback port and records it as taken by STATE_DIR.
# Random ports plus an atomic reservation file keep parallel harnesses apart; ss rules out ports
# that anything else already listens on.
reserve_port() {
  local state=$1 port owner tries=0
  mkdir -p "$port_registry"
  while [ $((tries += 1)) -le 200 ]; do
    # Below Linux's ephemeral range (32768+), so an outgoing connection cannot take it meanwhile.
    port=$((20000 + RANDOM % 12000))
    if [ -e "$port_registry/$port" ]; then
      owner=$(cat "$port_registry/$port" 2>/dev/null || true)
      # A reservation whose state dir is gone is stale (a harness that was killed hard).
      [ -n "$owner" ] && [ ! -d "$owner" ] && rm -f "$port_registry/$port"
      continue
    fi
    [ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || continue
    if (set -C; echo "$state" >"$port_registry/$port") 2>/dev/null; then
      echo "$port" >>"$state/ports"
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}

release_ports() {
  local state=$1 port
  [ -f "$state/ports" ] || return 0
  while read -r port; do
    [ "$(cat "$port_registry/$port" 2>/dev/null)" = "$state" ] && rm -f "$port_registry/$port"
  done <"$state/ports"
  rm -f "$state/ports"
}

# Pid files hold "PID STARTTIME" so a recycled pid is never mistaken for our process.
# A zombie (dead, not yet reaped) counts as gone.
proc_start() { awk '$3 != "Z" {print $22}' "/proc/$1/stat" 2>/dev/null; }
write_pid() { echo "$2 $(proc_start "$2")" >"$1"; }
# pid_alive PIDFILE: prints the pid and succeeds if that very process still runs.
pid_alive() {
  local pid start
  [ -f "$1" ] || return 1
  read -r pid start <"$1" || return 1
  [ -n "$pid" ] && [ "$(proc_start "$pid")" = "$start" ] || return 1
  echo "$pid"
}
# stop_pid PIDFILE [GRACE_SECONDS]: TERM, then KILL after the grace period; removes the pid file.
stop_pid() {
  local pid i
  if pid=$(pid_alive "$1"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < ${2:-10} * 10; i++)); do
      pid_alive "$1" >/dev/null || break
      sleep 0.1
    done
    pid_alive "$1" >/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

# spawn PIDFILE LOGFILE COMMAND...: runs COMMAND in its own session (a Ctrl-C or a closed terminal
# does not reach it), records its pid.
spawn() {
  local pidfile=$1 logfile=$2; shift 2
  # Lock descriptors (8, 9) stay with the caller: a long-lived child must not hold its lock.
  setsid "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&- &
  write_pid "$pidfile" $!
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local limit=$1 what=$2 deadline=$((SECONDS + $1)); shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { log "timed out after ${limit}s waiting for $what"; return 1; }
    sleep 0.2
  done
}

# Owners: files STATE/owners/<pid> holding the owner's start time, or STATE/owners/manual (kept
# until stopped by hand). watchdog.sh tears the state down once no owner is left.
add_owner() {
  local state=$1 owner=$2
  mkdir -p "$state/owners"
  if [ "$owner" = manual ]; then
    : >"$state/owners/manual"
  else
    proc_start "$owner" >"$state/owners/$owner" || die "owner process $owner does not exist"
  fi
}
# live_owners STATE: succeeds if some owner is still there; forgets owners that are gone.
live_owners() {
  local f pid live=1
  for f in "$1"/owners/*; do
    [ -e "$f" ] || continue
    pid=${f##*/}
    if [ "$pid" = manual ] || [ "$(proc_start "$pid")" = "$(cat "$f" 2>/dev/null)" ]; then
      live=0
    else
      rm -f "$f"
    fi
  done
  return $live
}
# start_watchdog STATE COMMAND...: COMMAND runs (once) when the last owner of STATE is gone.
start_watchdog() {
  local state=$1; shift
  pid_alive "$state/watchdog.pid" >/dev/null && return 0
  spawn "$state/watchdog.pid" "$state/watchdog.log" "$harness_dir/watchdog.sh" "$state" "$@"
}

# --- certificates (openssl) ---

# pki_ca DIR: a CA key and self-signed certificate, DIR/ca.{key,crt}; kept if they exist.
pki_ca() {
  local dir=$1
  [ -f "$dir/ca.crt" ] && return 0
  mkdir -p "$dir"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=gitopsd-test-ca" \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  chmod 600 "$dir/ca.key"
}

# pki_cert CA_DIR OUT_DIR NAME SUBJECT server|client [SAN...]: NAME.{key,crt} in OUT_DIR signed by
# the CA. SANs look like "DNS:localhost" or "IP:127.0.0.1".
pki_cert() {
  local ca=$1 out=$2 name=$3 subject=$4 usage=$5; shift 5
  local ext="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment"
  if [ "$usage" = server ]; then
    ext+=$'\nextendedKeyUsage=serverAuth'
    local IFS=,
    ext+=$'\nsubjectAltName='"$*"
  else
    ext+=$'\nextendedKeyUsage=clientAuth'
  fi
  mkdir -p "$out"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "$subject" \
    -keyout "$out/$name.key" -out "$out/$name.csr" 2>/dev/null
  openssl x509 -req -sha256 -days 3650 -in "$out/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
    -CAcreateserial -CAserial "$out/$name.srl" -out "$out/$name.crt" -extfile <(echo "$ext") 2>/dev/null
  rm -f "$out/$name.csr" "$out/$name.srl"
  chmod 600 "$out/$name.key"
}

random_token() { openssl rand -hex 24; }

ss_listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }
