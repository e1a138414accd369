#!/usr/bin/env bash
# Soak: GitRepositories with distinct URLs are created, synced and deleted in waves (500 in all by
# default, over about ten minutes); the agent's RSS, its Git cache on disk and its /metrics size
# must come back near where they started. Prints numbers; not a test. Needs `make build cluster-up`.
#   bench/soak.sh [TOTAL] [WAVE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/cluster/lib.sh"
log_prefix=soak
source "$root/build/cluster/env"
total=${1:-500} wave=${2:-50}
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-soak.XXXXXX")
ns=soak-$$
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  "$root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null 2>&1 || true
  kubectl delete namespace "$ns" --wait=false >/dev/null 2>&1 || true
  release_ports "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# One small repository, copied under a distinct name per GitRepository: distinct URLs, distinct
# caches. Folder pN declares ConfigMap soak-N, so the GitRepositories own distinct objects.
mkdir -p "$work/repos" "$work/src"
git -C "$work/src" init -q -b main
filler=$(head -c 2000 /dev/zero | tr '\0' x)
for i in $(seq 1 "$total"); do
  mkdir -p "$work/src/p$i"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: soak-%d}\ndata: {key: "%s"}\n' "$i" "$filler" >"$work/src/p$i/cm.yaml"
done
git -C "$work/src" add -A && git -C "$work/src" -c user.name=soak -c user.email=soak@example.com commit -q -m soak
git clone -q --bare "$work/src" "$work/repos/template.git"
for i in $(seq 1 "$total"); do cp -r "$work/repos/template.git" "$work/repos/r$i.git"; done
eval "$("$root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)"

kubectl apply --server-side -f "$root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
kubectl wait --for=condition=Established crd/gitrepositories.gitopsd.io >/dev/null
kubectl create namespace "$ns" >/dev/null
kubectl create secret generic git-auth -n "$ns" --from-literal=username="$USERNAME" --from-literal=password="$PASSWORD" >/dev/null

port=$(reserve_port "$work")
"$root/build/gitopsd" run --http-addr "127.0.0.1:$port" --cache-dir "$work/cache" --watch-namespace "$ns" \
  --log-format text --log-level warn --concurrent 8 >"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "agent" curl -sf "http://127.0.0.1:$port/readyz"
rss() { awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status"; }
cache_kib() { du -sk "$work/cache" 2>/dev/null | cut -f1; }
metrics_bytes() { curl -s "http://127.0.0.1:$port/metrics" | wc -c; }
repo_yaml() {  # FROM TO
  for i in $(seq "$1" "$2"); do
    printf -- '---\napiVersion: gitopsd.io/v1alpha1\nkind: GitRepository\nmetadata: {name: r%d, namespace: %s}\n' "$i" "$ns"
    printf 'spec: {url: "%s/r%d.git", path: p%d, secretRef: {name: git-auth}, interval: 1m, prune: true}\n' "$URL" "$i" "$i"
  done
}
# wave FROM TO: create, wait for all Ready, delete, wait until all are gone.
run_wave() {
  repo_yaml "$1" "$2" | kubectl apply -f - >/dev/null
  kubectl wait --for=condition=Ready --timeout=300s gitrepository --all -n "$ns" >/dev/null
  kubectl delete gitrepository --all -n "$ns" --timeout=300s >/dev/null
}
# Warm-up wave: libraries, pools and connections reach their working size before the baseline.
run_wave 1 "$wave"
sleep 5
rss0=$(rss) cache0=$(cache_kib) metrics0=$(metrics_bytes)
peak=$rss0
start=$SECONDS
for from in $(seq $((wave + 1)) "$wave" "$total"); do
  to=$((from + wave - 1))
  [ "$to" -gt "$total" ] && to=$total
  run_wave "$from" "$to"
  now=$(rss)
  [ "$now" -gt "$peak" ] && peak=$now
  log "GitRepositories $from-$to done: RSS $((now / 1024)) MiB, cache $(( $(cache_kib) / 1024)) MiB"
done
sleep 5
rss1=$(rss) cache1=$(cache_kib) metrics1=$(metrics_bytes)
echo "== gitopsd soak: $((total - wave)) GitRepositories with distinct URLs created, synced, deleted in $((SECONDS - start))s =="
printf 'RSS: %.1f MiB at the start, %.1f MiB at the end (%+.1f%%), peak %.1f MiB\n' "$(echo "$rss0/1024" | bc -l)" \
  "$(echo "$rss1/1024" | bc -l)" "$(echo "100*($rss1-$rss0)/$rss0" | bc -l)" "$(echo "$peak/1024" | bc -l)"
printf 'Git cache on disk: %d KiB at the start, %d KiB at the end\n' "$cache0" "$cache1"
printf '/metrics: %d bytes at the start, %d bytes at the end\n' "$metrics0" "$metrics1"
