#!/usr/bin/env bash
# Agent benchmark on the local control plane, in one run:
#   1. cold sync of 1,000 objects (ConfigMaps, Services, Deployments) from commit to Ready, beside
#      `kubectl apply --server-side` of the same rendered files and the API server's ceiling for
#      them (kube_apply_bench: dry run + apply of all at the best number in flight);
#   2. steady state with nothing changed: API requests (and writes) and CPU per interval;
#   3. drift repair from watches: 100 deletes and edits of managed ConfigMaps, each timed from
#      the change to its undoing (interval 5m, so that polling cannot explain it), and the API
#      requests it cost;
#   4. 100 GitRepository objects of 100 objects each: time to all Ready, peak RSS;
#   5. monorepo: a commit to one of those 100 applications: time until all 100 are at the new
#      revision, and what the agent sent (only that application's objects are dry-run and applied).
# Prints numbers; not a test. Needs `make build cluster-up`. AGENT_IN_FLIGHT sets the agent's
# --requests-in-flight for the cold sync (its default otherwise).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/cluster/lib.sh"
log_prefix=bench
source "$root/build/cluster/env"
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-bench.XXXXXX")
agent_pid=""
# Fresh namespace names per run: for 30 s after a namespace is deleted, the API server looks up
# every request's namespace in etcd again (NamespaceLifecycle), which would slow a repeated run.
run=$$
ns_kubectl=bench-kubectl-$run ns_gitopsd=bench-gitopsd-$run ns_fleet=bench-fleet-$run
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null
  "$root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null 2>&1 || true
  kubectl delete namespace "$ns_kubectl" "$ns_gitopsd" "$ns_fleet" --wait=false >/dev/null 2>&1 || true
  release_ports "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
# CPU seconds used so far by the local control plane (etcd, API server, controllers, kwok).
control_plane_cpu() {
  local ticks=0 pid
  for f in "$GITOPSD_TEST_CLUSTER_DIR"/pids/*.pid; do
    read -r pid _ <"$f" && [ -r "/proc/$pid/stat" ] || continue  # "PID START-TIME"
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}
elapsed() { echo "$(now) - $1" | bc; }
# Busy and total CPU ticks of the whole machine so far (/proc/stat; idle and iowait are not busy).
machine_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }
busy_percent() {  # BUSY0 TOTAL0: share of the machine's CPU busy since then
  read -r b1 t1 < <(machine_ticks)
  echo "100 * ($b1 - $1) / ($t1 - $2)" | bc -l
}

# The repository: big/ (1,000 objects) and fleet/NN/ (100 x 100 ConfigMaps).
mkdir -p "$work/repos" "$work/src/big"
git init -q --bare -b main "$work/repos/bench.git"
for i in $(seq 1 400); do
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%d}\ndata: {key: "value-%d", other: "%s"}\n' "$i" "$i" "$(head -c 300 /dev/zero | tr '\0' x)" >"$work/src/big/cm-$i.yaml"
done
for i in $(seq 1 300); do
  printf 'apiVersion: v1\nkind: Service\nmetadata: {name: svc-%d}\nspec:\n  selector: {app: app-%d}\n  ports: [{port: 80, targetPort: 8080}]\n' "$i" "$i" >"$work/src/big/svc-$i.yaml"
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-%d}\nspec:\n  replicas: 0\n  selector: {matchLabels: {app: app-%d}}\n  template:\n    metadata: {labels: {app: app-%d}}\n    spec: {containers: [{name: app, image: "nginx:1.27"}]}\n' "$i" "$i" "$i" >"$work/src/big/app-$i.yaml"
done
for r in $(seq -w 1 100); do
  mkdir -p "$work/src/fleet/$r"
  for i in $(seq 1 100); do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f%s-%d}\ndata: {key: "v"}\n---\n' "$r" "$i"
  done >"$work/src/fleet/$r/all.yaml"
done
git -C "$work/src" init -q -b main && git -C "$work/src" add -A &&
  git -C "$work/src" -c user.name=bench -c user.email=bench@example.com commit -q -m bench
eval "$("$root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)"
# A remote, so the password is in the work tree's config, not on a command line.
git -C "$work/src" remote add origin "http://$USERNAME:$PASSWORD@${URL#http://}/bench.git"
git -C "$work/src" push -q origin main

kubectl apply --server-side -f "$root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
kubectl wait --for=condition=Established crd/gitrepositories.gitopsd.io >/dev/null
for n in "$ns_kubectl" "$ns_gitopsd" "$ns_fleet"; do kubectl create namespace "$n" >/dev/null; done
for n in "$ns_gitopsd" "$ns_fleet"; do
  kubectl create secret generic git-auth -n "$n" --from-literal=username="$USERNAME" --from-literal=password="$PASSWORD" >/dev/null
done

# 1a. kubectl baseline on the same files.
cp0=$(control_plane_cpu)
read -r busy0 total0 < <(machine_ticks)
start=$(now)
kubectl apply --server-side -n "$ns_kubectl" -f "$work/src/big" >/dev/null
kubectl_s=$(elapsed "$start")
kubectl_cpu=$(echo "$(control_plane_cpu) - $cp0" | bc)
kubectl_busy=$(busy_percent "$busy0" "$total0")

# 1b. gitopsd: from creating the GitRepository to Ready. Debug logs time the dry run and the apply.
port=$(reserve_port "$work")
"$root/build/gitopsd" --log-format text --log-level debug run --http-addr "127.0.0.1:$port" --cache-dir "$work/cache" \
  --concurrent 8 ${AGENT_IN_FLIGHT:+--requests-in-flight "$AGENT_IN_FLIGHT"} >"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "agent" curl -sf "http://127.0.0.1:$port/readyz"
metrics() { curl -s "http://127.0.0.1:$port/metrics"; }
sum_metric() { metrics | awk -v m="$1" -v f="${2:-}" 'index($1, m) == 1 && index($1, f) > 0 {s += $2} END {print s + 0}'; }
gitrepo_yaml() {  # NAMESPACE NAME PATH
  cat <<YAML
---
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $2, namespace: $1}
spec: {url: "$URL/bench.git", secretRef: {name: git-auth}, path: "$3", interval: 10s, timeout: 5m}
YAML
}
gitrepo() { gitrepo_yaml "$@" | kubectl apply -f - >/dev/null; }
kubectl get gitrepositories -A >/dev/null 2>&1  # kubectl's discovery learns the new CRD outside the timing
# Waiting watches the object: polling with a kubectl per check would take CPU from the run.
wait_ready() { kubectl wait --for=condition=Ready --timeout="$1" gitrepository "${@:2}" >/dev/null; }
cp0=$(control_plane_cpu)
read -r busy0 total0 < <(machine_ticks)
start=$(now)
gitrepo "$ns_gitopsd" big big
wait_ready 300s big -n "$ns_gitopsd"
gitopsd_s=$(elapsed "$start")
gitopsd_cpu=$(echo "$(control_plane_cpu) - $cp0" | bc)
gitopsd_busy=$(busy_percent "$busy0" "$total0")
phase() {  # MESSAGE FIELD: a number from the first debug line with that message
  grep -m1 " debug $1 " "$work/agent.log" | grep -o " $2=[0-9.e+-]*" | cut -d= -f2
}
dry_run_s=$(phase "dry run" dry_run_seconds) apply_s=$(phase applied seconds)

# 1c. The API server's ceiling for the same objects: the best dry run + apply of all of them at
# any of 8, 32 or 128 requests in flight, by the agent's own client without the agent around it.
read -r ceiling_s ceiling_at < <("$root/build/bench/kube_apply_bench" --dry-run-first --from-dir "$work/src/big" \
  --in-flight 8 32 128 2>&1 | awk '
  /^  dry run, [0-9]+ in flight/ {dry[$3] = $6}
  /^gitopsd, [0-9]+ in flight/ {t = dry[$2] + $5; if (best == "" || t < best) {best = t; at = $2}}
  END {print best, at}')

# 2. Steady state: three intervals with nothing changed.
sleep 12
requests0=$(sum_metric gitopsd_api_requests_total)
writes() { metrics | awk '$1 ~ /^gitopsd_api_requests_total/ && $1 ~ /verb="(apply|create|patch|update|delete)"/ {s += $2} END {print s + 0}'; }
writes0=$(writes)
cpu0=$(sum_metric gitopsd_process_cpu_seconds_total)
sleep 30
requests1=$(sum_metric gitopsd_api_requests_total)
writes1=$(writes)
cpu1=$(sum_metric gitopsd_process_cpu_seconds_total)

# 3. Drift repair: with a 5m interval only the watches can explain a repair within seconds.
kubectl patch gitrepository big -n "$ns_gitopsd" --type merge -p '{"spec":{"interval":"5m"}}' >/dev/null
wait_until 120 "big at its new generation" bash -c "kubectl get gitrepository big -n '$ns_gitopsd' \
  -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.conditions[?(@.type==\"Ready\")].status}' |
  awk '\$1 == \$2 && \$3 == \"True\" {ok = 1} END {exit !ok}'"
sleep 2
applies() { metrics | awk '$1 ~ /^gitopsd_api_requests_total/ && $1 ~ /verb="apply"/ {s += $2} END {print s + 0}'; }
drift_requests0=$(sum_metric gitopsd_api_requests_total) drift_applies0=$(applies)
drift_line=$(python3 "$root/bench/drift_latency.py" "$ns_gitopsd" 100 "$run")
drift_requests=$(echo "$(sum_metric gitopsd_api_requests_total) - $drift_requests0" | bc)
drift_applies=$(echo "$(applies) - $drift_applies0" | bc)

# 4. 100 GitRepository objects of 100 objects each, in a fresh agent so its peak RSS is theirs alone.
kubectl delete gitrepository big -n "$ns_gitopsd" >/dev/null
kill "$agent_pid" && wait "$agent_pid" || true
"$root/build/gitopsd" run --http-addr "127.0.0.1:$port" --cache-dir "$work/cache" --log-format text --log-level warn \
  --concurrent 8 >>"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "agent" curl -sf "http://127.0.0.1:$port/readyz"
idle_kib=$(awk '/VmRSS/ {print $2}' "/proc/$agent_pid/status")
for r in $(seq -w 1 100); do gitrepo_yaml "$ns_fleet" "fleet-$r" "fleet/$r"; done >"$work/fleet.yaml"
start=$(now)
kubectl apply -f "$work/fleet.yaml" >/dev/null  # all at once: the time is the agent's, not kubectl's
wait_ready 600s --all -n "$ns_fleet"
fleet_s=$(elapsed "$start")
rss_kib=$(awk '/VmHWM/ {print $2}' "/proc/$agent_pid/status")

# 5. Monorepo: one application's file changes; the other 99 read none of it.
sleep 12  # every application past its first interval run, drift watches in sync
verb() { metrics | awk -v v="verb=\"$1\"" '$1 ~ /^gitopsd_api_requests_total/ && index($1, v) > 0 {s += $2} END {print s + 0}'; }
sed -i 's/key: "v"/key: "v2"/' "$work/src/fleet/001/all.yaml"
git -C "$work/src" -c user.name=bench -c user.email=bench@example.com commit -q -am "fleet/001 changes"
mono_sha=$(git -C "$work/src" rev-parse HEAD)
mono_dry0=$(verb apply-dry-run) mono_apply0=$(verb apply) mono_patch0=$(verb patch) mono_all0=$(sum_metric gitopsd_api_requests_total)
start=$(now)
git -C "$work/src" push -q origin main
kubectl wait --for=jsonpath='{.status.lastAppliedRevision}'="main@sha1:$mono_sha" --all -n "$ns_fleet" gitrepository \
  --timeout=120s >/dev/null
mono_s=$(elapsed "$start")
mono_dry=$(($(verb apply-dry-run) - mono_dry0)) mono_apply=$(($(verb apply) - mono_apply0))
mono_patch=$(($(verb patch) - mono_patch0)) mono_all=$(($(sum_metric gitopsd_api_requests_total) - mono_all0))

echo "== gitopsd agent benchmark (1,000 objects; 100 x 100) =="
printf 'cold sync 1000 objects: gitopsd %.2fs (commit to Ready) | kubectl apply --server-side %.2fs | gitopsd/kubectl %.2f\n' \
  "$gitopsd_s" "$kubectl_s" "$(echo "$gitopsd_s / $kubectl_s" | bc -l)"
printf '  control plane CPU meanwhile (%s cores): gitopsd run %.1fs, kubectl run %.1fs\n' "$(nproc)" "$gitopsd_cpu" "$kubectl_cpu"
printf '  machine CPU busy meanwhile: gitopsd run %.0f%%, kubectl run %.0f%%\n' "$gitopsd_busy" "$kubectl_busy"
printf '  gitopsd: dry run of every object %.2fs, apply %.2fs, the rest (watch, fetch, render, status) %.2fs\n' \
  "$dry_run_s" "$apply_s" "$(echo "$gitopsd_s - $dry_run_s - $apply_s" | bc -l)"
printf '  API server ceiling for the same objects (kube_apply_bench --dry-run-first, best of 8/32/128 in flight): %.2fs at %s in flight | gitopsd/ceiling %.2f (target <= 1.2)\n' \
  "$ceiling_s" "$ceiling_at" "$(echo "$gitopsd_s / $ceiling_s" | bc -l)"
printf 'steady state per 10s interval (1 GitRepository, 1000 objects): %.0f API requests, %.0f writes (apply, create, patch, update, delete), %.3f CPU seconds\n' \
  "$(echo "($requests1 - $requests0) / 3" | bc -l)" "$(echo "($writes1 - $writes0) / 3" | bc -l)" "$(echo "($cpu1 - $cpu0) / 3" | bc -l)"
echo "$drift_line"
printf '  API requests of the agent during those 100 repairs: %s in all, %s applies\n' "$drift_requests" "$drift_applies"
printf '100 GitRepositories x 100 objects: all Ready in %.2fs; peak RSS %.1f MiB (idle agent %.1f MiB)\n' "$fleet_s" \
  "$(echo "$rss_kib / 1024" | bc -l)" "$(echo "$idle_kib / 1024" | bc -l)"
printf 'monorepo, a commit to 1 of the 100 applications: all 100 at the new revision %.2fs after the push (polling: interval 10s, no webhook);\n' "$mono_s"
printf '  the agent sent %s requests: %s dry runs and %s applies (that application has 100 objects), %s status patches\n' \
  "$mono_all" "$mono_dry" "$mono_apply" "$mono_patch"
