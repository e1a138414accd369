# Shared steps of the end-to-end scenarios: each scenario gets its own namespace, Helm release
# (RBAC only), Git server, repository and gitopsd process, all removed again on exit.
# Sourced by tests/e2e/*.sh; they run against the cluster of the build directory.
set -euo pipefail
e2e_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$e2e_dir/../.." && pwd)
build_dir=${GITOPSD_BUILD_DIR:-$repo_root/build}
source "$repo_root/tests/cluster/lib.sh"
log_prefix=e2e
# shellcheck disable=SC1091
source "$build_dir/cluster/env"
gitopsd_bin=$build_dir/gitopsd

scenario=$(basename "$0" .sh)
ns=e2e-${scenario//_/-}-$RANDOM
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-e2e.XXXXXX")
agent_pid=""

fail() {
  log "FAIL [$scenario]: $*"
  if [ -f "$work/agent.log" ]; then
    log "last lines of the agent log:"
    tail -n 40 "$work/agent.log" >&2
  fi
  kubectl get gitrepositories -n "$ns" -o yaml >&2 2>/dev/null || true
  exit 1
}

# on_exit COMMAND: run COMMAND (a string) at exit, before the common cleanup.
exit_hooks=()
on_exit() { exit_hooks+=("$1"); }

cleanup() {
  local code=$? hook
  for hook in "${exit_hooks[@]}"; do eval "$hook" || true; done
  # GitRepository objects carry a finalizer: the running agent must release them. One it did not
  # release within the time, or an agent that exits non-zero, fails a scenario that passed.
  # A scenario that stopped its agent itself leaves the finalizers to this cleanup.
  local forced="" agent_code=0 had_agent=$agent_pid
  if [ -n "$agent_pid" ]; then
    kubectl delete gitrepositories --all -n "$ns" --timeout=60s >/dev/null 2>&1 || true
    kill -0 "$agent_pid" 2>/dev/null || { wait "$agent_pid" 2>/dev/null || agent_code=$?; agent_pid=""; }
  fi
  stop_agent || agent_code=$?
  for gr in $(kubectl get gitrepositories -n "$ns" -o name 2>/dev/null); do
    forced+=" $gr"
    kubectl patch "$gr" -n "$ns" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  done
  if [ $code -eq 0 ] && [ -n "$forced" ] && [ -n "$had_agent" ]; then
    log "FAIL [$scenario]: finalizers had to be removed by hand:$forced"
    code=1
  fi
  if [ $code -eq 0 ] && [ "$agent_code" -ne 0 ]; then
    log "FAIL [$scenario]: the agent exited with $agent_code"
    tail -n 40 "$work/agent.log" >&2 || true
    code=1
  fi
  "$repo_root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null 2>&1 || true
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  helm uninstall "$ns" -n "$ns" >/dev/null 2>&1 || true
  release_ports "$work" 2>/dev/null || true
  rm -rf "$work"
  [ $code -eq 0 ] && log "PASS [$scenario]"
  exit $code
}
trap cleanup EXIT

# install_rbac [HELM ARGS...]: the chart's CRD, ServiceAccount and RBAC (no Deployment), and a
# kubeconfig for gitopsd that authenticates as that ServiceAccount.
install_rbac() {
  kubectl create namespace "$ns" >/dev/null
  # The CRD first and once: parallel scenarios must not race to create it through Helm.
  kubectl apply --server-side -f "$repo_root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
  helm install "$ns" "$repo_root/charts/gitopsd" -n "$ns" --skip-crds --set replicaCount=0 \
    --set agent.watchNamespace="$ns" "$@" >/dev/null || fail "helm install"
  kubectl wait --for=condition=Established crd/gitrepositories.gitopsd.io --timeout=30s >/dev/null
  local token server ca
  token=$(kubectl create token "$ns-gitopsd" -n "$ns" --duration=2h)
  server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
  ca=$(kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  cat >"$work/agent.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: gitopsd, user: {token: "$token"}}]
contexts: [{name: e2e, context: {cluster: e2e, user: gitopsd, namespace: "$ns"}}]
current-context: e2e
KC
}

start_agent() {
  local port
  port=$(reserve_port "$work")
  agent_http=127.0.0.1:$port
  "$gitopsd_bin" run --kubeconfig "$work/agent.kubeconfig" --watch-namespace "$ns" --http-addr "$agent_http" \
    --cache-dir "$work/cache" --log-format text "$@" >>"$work/agent.log" 2>&1 &
  agent_pid=$!
  wait_until 20 "gitopsd ready" curl -sf "http://$agent_http/readyz" >/dev/null || fail "gitopsd did not become ready"
}

# stop_agent: SIGTERM, then the agent's exit code (0 for a clean shutdown).
stop_agent() {
  [ -n "$agent_pid" ] || return 0
  local pid=$agent_pid code=0
  agent_pid=""
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || code=$?
  return $code
}

# A bare repository served over smart HTTP with basic auth, a work tree to commit in, and the
# Secret that holds the credentials.
start_git() {
  mkdir -p "$work/repos" "$work/src"
  git init -q --bare -b main "$work/repos/app.git"
  git -C "$work/src" init -q -b main
  git -C "$work/src" config user.email "alice@example.com"
  git -C "$work/src" config user.name "Alice"
  eval "$("$repo_root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)"
  git_url=$URL/app.git
  git -C "$work/src" remote add origin "http://$USERNAME:$PASSWORD@${URL#http://}/app.git"
  kubectl create secret generic git-auth -n "$ns" --from-literal=username="$USERNAME" \
    --from-literal=password="$PASSWORD" >/dev/null
}

# commit MESSAGE: commits the work tree as it is and pushes it.
commit() {
  git -C "$work/src" add -A
  git -C "$work/src" commit -q -m "$1" --allow-empty
  git -C "$work/src" push -q origin main 2>/dev/null || fail "git push"
  git -C "$work/src" rev-parse HEAD
}

# write FILE: the manifest on stdin becomes FILE in the work tree.
write() { mkdir -p "$(dirname "$work/src/$1")"; cat >"$work/src/$1"; }

# gitrepository NAME [EXTRA SPEC YAML]: creates or updates a GitRepository of the test repository.
gitrepository() {
  local name=$1 extra=${2:-}
  kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository $name"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $name, namespace: $ns}
spec:
  url: $git_url
  secretRef: {name: git-auth}
  interval: ${interval:-10s}
  retryInterval: 2s
  timeout: 60s
  prune: true
$extra
YAML
}

# jsonpath KIND/NAME PATH [NAMESPACE]
jsonpath() { kubectl get "$1" -n "${3:-$ns}" -o "jsonpath=$2" 2>/dev/null; }

# wait_for SECONDS WHAT COMMAND...: retries until COMMAND succeeds.
wait_for() {
  local seconds=$1 what=$2
  shift 2
  wait_until "$seconds" "$what" "$@" || fail "timed out waiting for $what"
}

is_ready_at() {  # NAME SHA
  [ "$(jsonpath "gitrepository/$1" '{.status.conditions[?(@.type=="Ready")].status}')" = True ] &&
    [ "$(jsonpath "gitrepository/$1" '{.status.lastAppliedRevision}')" = "main@sha1:$2" ]
}

ready_reason() { jsonpath "gitrepository/$1" '{.status.conditions[?(@.type=="Ready")].reason}'; }
ready_message() { jsonpath "gitrepository/$1" '{.status.conditions[?(@.type=="Ready")].message}'; }
has_reason() { [ "$(ready_reason "$1")" = "$2" ]; }
# failed_with NAME REASON: Ready has REASON; its message, read in the same request, is left in
# $message (a retry replaces it with a progress message a moment later).
failed_with() {
  local both
  both=$(jsonpath "gitrepository/$1" '{.status.conditions[?(@.type=="Ready")].reason}{"\n"}{.status.conditions[?(@.type=="Ready")].message}')
  [ "${both%%$'\n'*}" = "$2" ] || return 1
  message=${both#*$'\n'}
}
exists() { kubectl get "$@" >/dev/null 2>&1; }
absent() { ! kubectl get "$@" >/dev/null 2>&1; }

# metric NAME [LABEL-TEXT]: the sum of the agent's samples of NAME (whose labels contain
# LABEL-TEXT), without the # HELP and # TYPE lines.
metric() {
  curl -s "http://$agent_http/metrics" |
    awk -v n="$1" -v l="${2:-}" '$1 !~ /^#/ && (index($1, n "{") == 1 || $1 == n) && (l == "" || index($1, l) > 0) {s += $2} END {print s + 0}'
}

# metric_at_least NAME LABEL-TEXT VALUE: the metric has reached VALUE.
metric_at_least() { [ "$(metric "$1" "$2")" -ge "$3" ]; }

# after_reconciles N NAME: waits until N more reconciles of GitRepository NAME have finished, the
# positive evidence that the agent looked again (instead of a sleep that a stalled agent passes).
after_reconciles() {
  local label="name=\"$2\"" start
  start=$(metric gitopsd_reconcile_total "$label")
  wait_for 120 "$1 more reconciles of $2" metric_at_least gitopsd_reconcile_total "$label" $((start + $1))
}

expect_eq() {  # ACTUAL EXPECTED WHAT
  [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}
