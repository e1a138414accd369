#!/usr/bin/env bash
# Fleet benchmark on the local control plane, in one run:
#   1. baseline: `kubectl apply --server-side` of the fleet's 4,000 objects in one call;
#   2. 1,000 GitRepository objects (one repository URL, one path each) of 4 objects each
#      (ConfigMap, Secret, Service, Deployment with 0 replicas), created in one `kubectl apply`:
#      time to all Ready, API requests by verb (the API server's own counters), the agent's CPU
#      seconds and peak RSS;
#   3. fair scheduling: while the fleet syncs, a requested reconcile of one more GitRepository;
#   4. idle fleet: the agent's CPU and API requests per 10 s with nothing changing.
# Prints numbers; not a test. Needs `make build cluster-up`. FLEET_APPS (default 1000) and
# FLEET_CONCURRENT (default 20) change the size; FLEET_PERF=FILE records a `perf` profile of the
# agent from the creation of the fleet to all Ready (read it with `perf report -i FILE`).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/cluster/lib.sh"
log_prefix=fleet-bench
source "$root/build/cluster/env"
apps=${FLEET_APPS:-1000}
concurrent=${FLEET_CONCURRENT:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-fleet.XXXXXX")
agent_pid="" perf_pid=""
run=$$
ns_kubectl=fleet-kubectl-$run ns_fleet=fleet-gitopsd-$run
cleanup() {
  [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  "$root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null 2>&1 || true
  kubectl delete namespace "$ns_kubectl" "$ns_fleet" --wait=false >/dev/null 2>&1 || true
  release_ports "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc; }
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
# The API server's request counters summed by verb (dry runs apart): "VERB COUNT" lines.
server_requests() {
  kubectl get --raw /metrics | awk '/^apiserver_request_total\{/ {
      verb = $0; sub(/.*verb="/, "", verb); sub(/".*/, "", verb)
      dry = ($0 ~ /dry_run="All"/) ? "-dryrun" : ""
      n[verb dry] += $NF
    } END {for (v in n) print v, n[v]}' | sort
}
# VERB COUNT lines after minus before, as "VERB=N" words.
requests_between() {
  join -a 2 -e 0 -o 0,1.2,2.2 "$1" "$2" | awk '{d = $3 - $2; if (d > 0) printf "%s=%d ", $1, d; t += d} END {printf "total=%d", t}'
}

# One repository: apps/NNNN/ with the four objects (each app its own names, in one namespace).
mkdir -p "$work/repos" "$work/src"
git init -q --bare -b main "$work/repos/fleet.git"
for i in $(seq -w 1 "$apps"); do
  mkdir -p "$work/src/apps/$i"
  cat >"$work/src/apps/$i/app.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-$i}
data: {key: value-$i}
---
apiVersion: v1
kind: Secret
metadata: {name: secret-$i}
stringData: {token: not-a-secret-$i}
---
apiVersion: v1
kind: Service
metadata: {name: svc-$i}
spec:
  selector: {app: app-$i}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-$i}
spec:
  replicas: 0
  selector: {matchLabels: {app: app-$i}}
  template:
    metadata: {labels: {app: app-$i}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
YAML
done
mkdir -p "$work/src/urgent"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: urgent}\ndata: {key: "1"}\n' >"$work/src/urgent/cm.yaml"
git -C "$work/src" init -q -b main && git -C "$work/src" add -A &&
  git -C "$work/src" -c user.name=bench -c user.email=bench@example.com commit -q -m fleet
eval "$("$root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)"
git -C "$work/src" push -q "http://$USERNAME:$PASSWORD@${URL#http://}/fleet.git" main

kubectl apply --server-side -f "$root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
kubectl wait --for=condition=Established crd/gitrepositories.gitopsd.io >/dev/null
for n in "$ns_kubectl" "$ns_fleet"; do kubectl create namespace "$n" >/dev/null; done
kubectl create secret generic git-auth -n "$ns_fleet" --from-literal=username="$USERNAME" --from-literal=password="$PASSWORD" >/dev/null
kubectl get gitrepositories -A >/dev/null 2>&1  # kubectl's discovery learns the new CRD outside the timing

# 1. Baseline: the same 4,000 objects in one kubectl call.
awk 'FNR == 1 && NR > 1 {print "---"} {print}' "$work"/src/apps/*/app.yaml >"$work/all.yaml"
server_requests >"$work/k0"
start=$(now)
kubectl apply --server-side -n "$ns_kubectl" -f "$work/all.yaml" >/dev/null
kubectl_s=$(elapsed "$start")
server_requests >"$work/k1"

# 2. The fleet.
port=$(reserve_port "$work")
"$root/build/gitopsd" --log-format text run --http-addr "127.0.0.1:$port" --cache-dir "$work/cache" \
  --concurrent "$concurrent" >"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "agent" curl -sf "http://127.0.0.1:$port/readyz"
metrics() { curl -s "http://127.0.0.1:$port/metrics"; }
agent_requests() { metrics | awk '/^gitopsd_api_requests_total/ {s += $2} END {print s + 0}'; }
# The agent's own requests by verb, and its Git ref listings: "VERB=N ..." / "made=N reused=M".
agent_by_verb() {
  metrics | awk '/^gitopsd_api_requests_total\{/ {v = $0; sub(/.*verb="/, "", v); sub(/".*/, "", v); n[v] += $2}
    END {for (k in n) printf "%s=%d ", k, n[k]}'
}
agent_listings() {
  metrics | awk '/^gitopsd_git_listings_total/ {m = $2} /^gitopsd_git_listings_reused_total/ {r = $2} END {printf "made=%d reused=%d", m, r}'
}
gitrepo_yaml() {  # NAME PATH INTERVAL
  printf -- '---\napiVersion: gitopsd.io/v1alpha1\nkind: GitRepository\nmetadata: {name: %s, namespace: %s}\nspec: {url: "%s/fleet.git", secretRef: {name: git-auth}, path: "%s", interval: %s, timeout: 5m}\n' \
    "$1" "$ns_fleet" "$URL" "$2" "$3"
}
for i in $(seq -w 1 "$apps"); do gitrepo_yaml "app-$i" "apps/$i" 10m; done >"$work/fleet.yaml"
ready_count() {
  kubectl get gitrepositories -n "$ns_fleet" -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true
}
cpu0=$(cpu_of "$agent_pid")
server_requests >"$work/f0"
if [ -n "${FLEET_PERF:-}" ]; then
  perf record -q -F 250 --call-graph dwarf,16384 -o "$FLEET_PERF" -p "$agent_pid" 2>"$work/perf.log" &
  perf_pid=$!
fi
start=$(now)
kubectl apply --server-side -f "$work/fleet.yaml" >/dev/null  # one call; server-side: one request per object
created_s=$(elapsed "$start")
# 3. While the fleet syncs: one more GitRepository, asked for at once.
gitrepo_yaml urgent urgent 10m | kubectl apply -f - >/dev/null
urgent_start=$(now)
kubectl annotate gitrepository urgent -n "$ns_fleet" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
kubectl wait --for=condition=Ready gitrepository/urgent -n "$ns_fleet" --timeout=600s >/dev/null
urgent_s=$(elapsed "$urgent_start")
# The agent's own measure of that run's wait for a slot (from the watch event to its start).
urgent_wait=$(metrics | awk '/^gitopsd_urgent_reconcile_wait_seconds_sum/ {s = $2} /^gitopsd_urgent_reconcile_wait_seconds_count/ {n = $2}
  END {if (n > 0) printf "started %.3f s after it was asked for (mean of %d urgent runs)", s / n, n; else print "no urgent run measured"}')
while [ "$(ready_count)" -lt $((apps + 1)) ]; do
  [ "$(echo "$(elapsed "$start") > 900" | bc)" = 1 ] && { echo "fleet not Ready within 900 s: $(ready_count)/$((apps + 1))"; break; }
  sleep 1
done
fleet_s=$(elapsed "$start")
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=""; fi
server_requests >"$work/f1"
cpu1=$(cpu_of "$agent_pid")
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$agent_pid/status")
sent=$(agent_requests)
by_verb=$(agent_by_verb)
listings=$(agent_listings)

# 4. Idle: nothing changes (intervals of 10 minutes: only what the agent does unprompted).
sleep 5
idle_cpu0=$(cpu_of "$agent_pid") idle_req0=$(agent_requests)
sleep 30
idle_cpu1=$(cpu_of "$agent_pid") idle_req1=$(agent_requests)

echo "== gitopsd fleet benchmark ($apps applications x 4 objects, one repository URL, --concurrent $concurrent) =="
printf 'kubectl apply --server-side of the %d objects in one call: %.2fs\n' "$((apps * 4))" "$kubectl_s"
printf '  API server requests: %s\n' "$(requests_between "$work/k0" "$work/k1")"
printf 'gitopsd: all %d GitRepositories Ready %.2fs after one kubectl apply (which itself took %.2fs) | gitopsd/kubectl %.2f\n' \
  "$((apps + 1))" "$fleet_s" "$created_s" "$(echo "$fleet_s / $kubectl_s" | bc -l)"
printf '  API server requests (the agent, the kubectl apply of the GitRepositories and this script'"'"'s polling): %s\n' \
  "$(requests_between "$work/f0" "$work/f1")"
# Counted after the urgent run: the fleet and that one GitRepository.
printf '  requests the agent sent: %d (%.1f per application)\n' "$sent" "$(echo "$sent / ($apps + 1)" | bc -l)"
printf '  by verb: %s\n' "$by_verb"
printf '  Git ref listings of the one URL: %s\n' "$listings"
printf '  agent CPU %.2fs, peak RSS %.1f MiB\n' "$(echo "$cpu1 - $cpu0" | bc)" "$(echo "$rss_kib / 1024" | bc -l)"
printf 'urgent requested reconcile during the fleet sync: Ready after %.2fs; %s\n' "$urgent_s" "$urgent_wait"
printf 'idle fleet per 10s: %.3f agent CPU seconds, %.1f API requests\n' \
  "$(echo "($idle_cpu1 - $idle_cpu0) / 3" | bc -l)" "$(echo "($idle_req1 - $idle_req0) / 3" | bc -l)"
