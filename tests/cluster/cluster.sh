#!/usr/bin/env bash
# A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver (TLS, RBAC, static
# tokens, client certificates), kube-controller-manager, kube-scheduler and kwok with one fake node.
#
#   cluster.sh up STATE_DIR [--owner PID|parent]  start, or reuse a healthy cluster in STATE_DIR
#   cluster.sh release STATE_DIR --owner PID|parent  forget an owner; stop when none is left
#   cluster.sh down STATE_DIR               stop every process (by pid) and remove STATE_DIR
#   cluster.sh status STATE_DIR             exit 0 if every component is healthy
#   cluster.sh stop-apiserver|start-apiserver STATE_DIR
#
# Without --owner a cluster stays up until `down`. With --owner it is torn down as soon as no owner
# process is left (see watchdog.sh), so an interrupted test run leaves nothing behind.
# `up` writes STATE_DIR/env (source it), STATE_DIR/kubeconfig (admin token) and
# STATE_DIR/kubeconfig-cert (admin client certificate, embedded).
set -euo pipefail
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
log_prefix=cluster

components=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
node_name=kwok-node-0

kubectl_admin() { "$bin/kubectl" --kubeconfig "$state/kubeconfig" "$@"; }

# --- configuration written once per state dir ---

write_kubeconfig() { # FILE USER-NAME then either "token TOKEN" or "cert CERT KEY"
  local file=$1 user=$2 kind=$3
  local auth
  if [ "$kind" = token ]; then
    auth="    token: $4"
    cat >"$file" <<CONF
apiVersion: v1
kind: Config
clusters:
- name: gitopsd-test
  cluster:
    server: https://127.0.0.1:$apiserver_port
    certificate-authority: $state/pki/ca.crt
users:
- name: $user
  user:
$auth
contexts:
- name: gitopsd-test
  context: {cluster: gitopsd-test, user: $user, namespace: default}
current-context: gitopsd-test
CONF
  else
    cat >"$file" <<CONF
apiVersion: v1
kind: Config
clusters:
- name: gitopsd-test
  cluster:
    server: https://127.0.0.1:$apiserver_port
    certificate-authority-data: $(base64 -w0 "$state/pki/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$4")
    client-key-data: $(base64 -w0 "$5")
contexts:
- name: gitopsd-test
  context: {cluster: gitopsd-test, user: $user, namespace: default}
current-context: gitopsd-test
CONF
  fi
  chmod 600 "$file"
}

configure() {
  local pki=$state/pki
  pki_ca "$pki"
  pki_cert "$pki" "$pki" apiserver "/CN=kube-apiserver" server \
    IP:127.0.0.1 IP:10.96.0.1 DNS:localhost DNS:kubernetes DNS:kubernetes.default \
    DNS:kubernetes.default.svc DNS:kubernetes.default.svc.cluster.local
  pki_cert "$pki" "$pki" admin "/O=system:masters/CN=gitopsd-test-admin" client
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  chmod 600 "$pki/sa.key"

  etcd_port=$(reserve_port "$state")
  etcd_peer_port=$(reserve_port "$state")
  apiserver_port=$(reserve_port "$state")
  kcm_port=$(reserve_port "$state")
  scheduler_port=$(reserve_port "$state")
  admin_token=$(random_token)
  local kcm_token scheduler_token
  kcm_token=$(random_token)
  scheduler_token=$(random_token)
  # Static tokens: the admin (system:masters) and the components under their RBAC bootstrap names.
  cat >"$pki/tokens.csv" <<CONF
$admin_token,gitopsd-test-admin,gitopsd-test-admin,"system:masters"
$kcm_token,system:kube-controller-manager,kube-controller-manager
$scheduler_token,system:kube-scheduler,kube-scheduler
CONF
  chmod 600 "$pki/tokens.csv"
  write_kubeconfig "$state/kubeconfig" gitopsd-test-admin token "$admin_token"
  write_kubeconfig "$state/kubeconfig-cert" gitopsd-test-admin-cert cert "$pki/admin.crt" "$pki/admin.key"
  write_kubeconfig "$state/kube-controller-manager.kubeconfig" kube-controller-manager token "$kcm_token"
  write_kubeconfig "$state/kube-scheduler.kubeconfig" kube-scheduler token "$scheduler_token"

  mkdir -p "$state/args" "$state/logs" "$state/pids"
  # One argument per line, so stop-apiserver/start-apiserver can restart with the same flags.
  printf '%s\n' "$bin/etcd" --name=gitopsd-test --data-dir="$state/etcd" \
    --listen-client-urls="http://127.0.0.1:$etcd_port" --advertise-client-urls="http://127.0.0.1:$etcd_port" \
    --listen-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-advertise-peer-urls="http://127.0.0.1:$etcd_peer_port" \
    --initial-cluster="gitopsd-test=http://127.0.0.1:$etcd_peer_port" \
    --unsafe-no-fsync=true --log-level=warn >"$state/args/etcd"
  printf '%s\n' "$bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$apiserver_port" \
    --cert-dir="$state/apiserver-certs" \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --service-cluster-ip-range=10.96.0.0/16 --allow-privileged=true \
    --endpoint-reconciler-type=none --profiling=false >"$state/args/kube-apiserver"
  # Tests that need other API server behaviour (e.g. --watch-cache=false) add flags here.
  for extra in ${GITOPSD_TEST_APISERVER_ARGS:-}; do echo "$extra" >>"$state/args/kube-apiserver"; done
  # The one fake node's heartbeats come from kwok, which a loaded machine delays: a node judged
  # NotReady marks every pod unready, so Deployments lose availability in the middle of a test.
  printf '%s\n' "$bin/kube-controller-manager" --kubeconfig="$state/kube-controller-manager.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$kcm_port" \
    --cert-dir="$state/kcm-certs" \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true \
    --node-monitor-grace-period=10m \
    --cluster-name=gitopsd-test --profiling=false >"$state/args/kube-controller-manager"
  printf '%s\n' "$bin/kube-scheduler" --kubeconfig="$state/kube-scheduler.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$scheduler_port" \
    --cert-dir="$state/scheduler-certs" --profiling=false >"$state/args/kube-scheduler"
  printf '%s\n' "$bin/kwok" --kubeconfig="$state/kubeconfig" --config="$bin/kwok-stages.yaml" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --cidr=10.244.0.0/16 --node-ip=127.0.0.1 >"$state/args/kwok"

  cat >"$state/ports.env" <<CONF
etcd_port=$etcd_port
apiserver_port=$apiserver_port
kcm_port=$kcm_port
scheduler_port=$scheduler_port
CONF
  echo "$bin" >"$state/bin"
}

write_env() {
  cat >"$state/env.tmp" <<CONF
# Source this file to use the test cluster (written by tests/cluster/cluster.sh).
export GITOPSD_TEST_CLUSTER_DIR="$state"
export GITOPSD_TEST_TOOLS_BIN="$bin"
export PATH="$bin:\$PATH"
export KUBECONFIG="$state/kubeconfig"
export GITOPSD_TEST_KUBECONFIG="$state/kubeconfig"
export GITOPSD_TEST_KUBECONFIG_CERT="$state/kubeconfig-cert"
export GITOPSD_TEST_SERVER="https://127.0.0.1:$apiserver_port"
export GITOPSD_TEST_TOKEN="$(cut -d, -f1 <(head -1 "$state/pki/tokens.csv"))"
export GITOPSD_TEST_CA="$state/pki/ca.crt"
export GITOPSD_TEST_CA_KEY="$state/pki/ca.key"
export GITOPSD_TEST_CLIENT_CERT="$state/pki/admin.crt"
export GITOPSD_TEST_CLIENT_KEY="$state/pki/admin.key"
export GITOPSD_TEST_ETCD="http://127.0.0.1:$etcd_port"
export GITOPSD_TEST_NODE="$node_name"
CONF
  chmod 600 "$state/env.tmp"
  mv "$state/env.tmp" "$state/env"
}

# --- processes ---

start_component() {
  local name=$1 args=()
  mapfile -t args <"$state/args/$name"
  spawn "$state/pids/$name.pid" "$state/logs/$name.log" "${args[@]}"
}

component_failed() { # NAME: prints why a component is not running
  log "$1 is not running; last lines of $state/logs/$1.log:"
  tail -n 20 "$state/logs/$1.log" >&2 || true
}

https_ok() { # URL [TOKEN]
  local out
  out=$(curl -sS --max-time 3 --cacert "$state/pki/ca.crt" ${2:+-H "Authorization: Bearer $2"} "$1") &&
    [ "$out" = ok ]
}
insecure_ok() { [ "$(curl -ksS --max-time 3 "$1")" = ok ]; }
etcd_ok() { curl -sS --max-time 3 "http://127.0.0.1:$etcd_port/health" | grep -q '"health":"true"'; }
apiserver_ok() { https_ok "https://127.0.0.1:$apiserver_port/readyz" "$(admin_token)"; }
admin_token() { head -1 "$state/pki/tokens.csv" | cut -d, -f1; }

# wait_component NAME SECONDS CHECK...: waits for CHECK while the process still runs.
wait_component() {
  local name=$1 limit=$2 deadline=$((SECONDS + $2)); shift 2
  until "$@" >/dev/null 2>&1; do
    pid_alive "$state/pids/$name.pid" >/dev/null || { component_failed "$name"; return 1; }
    [ $SECONDS -lt $deadline ] || { log "timed out after ${limit}s waiting for $name"; component_failed "$name"; return 1; }
    sleep 0.2
  done
}

node_ready() {
  [ "$(kubectl_admin get node "$node_name" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

create_node() {
  kubectl_admin apply -f - >/dev/null <<CONF
apiVersion: v1
kind: Node
metadata:
  name: $node_name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: $node_name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
CONF
}

load_state() {
  [ -f "$state/ports.env" ] || return 1
  source "$state/ports.env"
  bin=$(cat "$state/bin")
}

healthy() {
  load_state || return 1
  local c
  for c in "${components[@]}"; do pid_alive "$state/pids/$c.pid" >/dev/null || return 1; done
  etcd_ok && apiserver_ok && insecure_ok "https://127.0.0.1:$kcm_port/healthz" &&
    insecure_ok "https://127.0.0.1:$scheduler_port/healthz"
}

start_all() {
  local t0=$SECONDS
  start_component etcd
  wait_component etcd 30 etcd_ok
  start_component kube-apiserver
  wait_component kube-apiserver 90 apiserver_ok
  start_component kube-controller-manager
  start_component kube-scheduler
  start_component kwok
  wait_component kube-controller-manager 60 insecure_ok "https://127.0.0.1:$kcm_port/healthz"
  wait_component kube-scheduler 60 insecure_ok "https://127.0.0.1:$scheduler_port/healthz"
  create_node
  wait_component kwok 60 node_ready
  # Pods need the namespace's default ServiceAccount, which the controller-manager creates.
  wait_component kube-controller-manager 60 kubectl_admin get serviceaccount default -n default
  log "cluster up in $((SECONDS - t0))s: https://127.0.0.1:$apiserver_port ($state)"
}

# --- commands ---

# --owner PID, or --owner parent: the process that ran this script (CTest for the fixture).
owner_arg() {
  [ "${1:-}" = --owner ] || { echo manual; return; }
  [ -n "${2:-}" ] || die "--owner needs a pid"
  if [ "$2" = parent ]; then echo "$PPID"; else echo "$2"; fi
}

cmd_up() {
  local owner
  owner=$(owner_arg "$@")
  mkdir -p "$(dirname "$state")"
  exec 8>"$state.lock"
  flock 8
  if [ -d "$state" ] && [ -f "$state/apiserver.stopped" ] && load_state; then
    cmd_start_apiserver
  fi
  if [ -d "$state" ] && healthy; then
    add_owner "$state" "$owner"
    [ "$owner" = manual ] || start_watchdog "$state" "$here/cluster.sh" down "$state"
    log "reusing the running cluster https://127.0.0.1:$apiserver_port ($state)"
    echo "$state/env"
    return 0
  fi
  [ -d "$state" ] && { log "cleaning up an unhealthy cluster in $state"; cmd_down; }
  # GITOPSD_TOOLS_BIN overrides the tools build (a folder with the same binaries).
  bin=${GITOPSD_TOOLS_BIN:-$("$here/tools.sh")}
  [ -f "$bin/kwok-stages.yaml" ] || die "tools in $bin lack kwok-stages.yaml"
  mkdir -p "$state" && chmod 700 "$state"
  state=$(cd "$state" && pwd)
  add_owner "$state" "$owner"
  # From here on a failure or an interrupt tears down what was started.
  trap 'log "start failed; tearing down"; cmd_down' EXIT
  trap 'exit 130' INT TERM
  [ "$owner" = manual ] || start_watchdog "$state" "$here/cluster.sh" down "$state"
  configure
  start_all
  write_env
  trap - EXIT INT TERM
  echo "$state/env"
}

cmd_release() {
  local owner
  owner=$(owner_arg "$@")
  [ "$owner" != manual ] || die "release needs --owner PID"
  [ -d "$state" ] || return 0
  rm -f "$state/owners/$owner"
  live_owners "$state" || cmd_down
}

cmd_down() {
  local c wd
  [ -d "$state" ] || return 0
  # Reverse order: nothing keeps retrying against a component that is already gone.
  for ((c = ${#components[@]} - 1; c >= 0; c--)); do
    stop_pid "$state/pids/${components[c]}.pid" 10
  done
  release_ports "$state"
  if wd=$(pid_alive "$state/watchdog.pid") && [ "$wd" != $$ ]; then kill "$wd" 2>/dev/null || true; fi
  rm -rf "$state"
  rm -f "$state.lock"
  log "cluster in $state stopped"
}

cmd_status() {
  [ -d "$state" ] && load_state || { echo "no cluster in $state"; return 1; }
  local c pid ok=0
  for c in "${components[@]}"; do
    if pid=$(pid_alive "$state/pids/$c.pid"); then echo "$c: running (pid $pid)"; else echo "$c: stopped"; ok=1; fi
  done
  if apiserver_ok; then echo "readyz: ok (https://127.0.0.1:$apiserver_port)"; else echo "readyz: failing"; ok=1; fi
  if node_ready; then echo "node $node_name: Ready"; else echo "node $node_name: not ready"; ok=1; fi
  return $ok
}

cmd_stop_apiserver() {
  load_state || die "no cluster in $state"
  : >"$state/apiserver.stopped"
  stop_pid "$state/pids/kube-apiserver.pid" 10
  log "kube-apiserver stopped"
}

cmd_start_apiserver() {
  load_state || die "no cluster in $state"
  pid_alive "$state/pids/kube-apiserver.pid" >/dev/null || start_component kube-apiserver
  wait_component kube-apiserver 90 apiserver_ok
  rm -f "$state/apiserver.stopped"
  log "kube-apiserver ready"
}

[ $# -ge 2 ] || die "usage: $0 up|release|down|status|stop-apiserver|start-apiserver STATE_DIR [--owner PID]"
command=$1
state=$2
shift 2
# Absolute, so pid files and the env file stay valid from any working directory.
case $state in /*) ;; *) state=$PWD/$state ;; esac
case $command in
  up) cmd_up "$@" ;;
  release) cmd_release "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  stop-apiserver) cmd_stop_apiserver ;;
  start-apiserver) cmd_start_apiserver ;;
  *) die "unknown command $command" ;;
esac
