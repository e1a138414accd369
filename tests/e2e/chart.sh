#!/usr/bin/env bash
# The Helm chart: lint, templates valid on the server with default values and with every option,
# and the agent running in-cluster (service-account token, CA and namespace files) under the
# chart's RBAC, syncing a GitRepository and showing it in /metrics.
source "$(dirname "$0")/lib.sh"
chart=$repo_root/charts/gitopsd
all_options=(--set replicaCount=2 --set serviceMonitor.enabled=true --set "rbac.namespaces={$ns}"
  --set agent.watchNamespace="$ns" --set agent.watchLabelSelector=shard=a
  --set agent.defaultServiceAccount=deployer --set agent.noCrossNamespaceRefs=true --set "agent.extraArgs={--allow-file-urls}"
  --set "imagePullSecrets[0].name=regcred" --set podAnnotations.a=b --set priorityClassName=system-cluster-critical
  --set serviceAccount.annotations.x=y)

helm lint "$chart" >/dev/null || fail "helm lint (defaults)"
helm lint "$chart" "${all_options[@]}" >/dev/null || fail "helm lint (every option)"
helm lint --strict "$chart" 2>&1 | grep -q "0 chart(s) failed" || fail "helm lint --strict"

# Server dry-run of both renderings (a stand-in ServiceMonitor CRD makes that kind known).
kubectl create namespace "$ns" >/dev/null
kubectl apply --server-side -f - >/dev/null <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: servicemonitors.monitoring.coreos.com}
spec:
  group: monitoring.coreos.com
  scope: Namespaced
  names: {kind: ServiceMonitor, plural: servicemonitors, singular: servicemonitor, listKind: ServiceMonitorList}
  versions:
    - name: v1
      served: true
      storage: true
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
YAML
kubectl wait --for=condition=Established crd/servicemonitors.monitoring.coreos.com >/dev/null
kubectl apply --server-side -f "$repo_root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
helm template t "$chart" -n "$ns" | kubectl apply --dry-run=server -f - >/dev/null || fail "defaults: server dry run"
helm template t "$chart" -n "$ns" "${all_options[@]}" | kubectl apply --dry-run=server -f - >/dev/null ||
  fail "every option: server dry run"
out=$(helm template t "$chart" -n "$ns" --set "rbac.namespaces={$ns}" 2>&1 || true)
grep -q "set agent.watchNamespace" <<<"$out" || fail "a restricted install without watchNamespace must say what to set: $out"

# The plain install manifests are the chart's defaults rendered (checked by make manifests).
"$repo_root/scripts/manifests.sh" --check || fail "config/install.yaml differs from the chart"
cmp -s "$repo_root/config/crd/gitopsd.io_gitrepositories.yaml" "$chart/crds/gitopsd.io_gitrepositories.yaml" ||
  fail "the chart's CRD differs from config/crd"
# A server dry run of namespaced objects needs their namespace to exist.
created_system_ns=false
if ! exists namespace gitopsd-system; then kubectl create namespace gitopsd-system >/dev/null; created_system_ns=true; fi
kubectl apply --dry-run=server -f "$repo_root/config/install.yaml" >/dev/null || fail "config/install.yaml: server dry run"
$created_system_ns && kubectl delete namespace gitopsd-system --wait=false >/dev/null

# In-cluster: the agent finds the API server, token, CA and namespace the way a pod does.
kubectl delete namespace "$ns" --wait=true >/dev/null
install_rbac

# The default roles cover GitRepositories (aggregated by the controller manager, a moment later).
kubectl create serviceaccount viewer -n "$ns" >/dev/null
kubectl create serviceaccount editor -n "$ns" >/dev/null
kubectl create rolebinding viewer --clusterrole=view --serviceaccount="$ns:viewer" -n "$ns" >/dev/null
kubectl create rolebinding editor --clusterrole=edit --serviceaccount="$ns:editor" -n "$ns" >/dev/null
can() { [ "$(kubectl auth can-i "$2" gitrepositories.gitopsd.io -n "$ns" --as "system:serviceaccount:$ns:$1")" = yes ]; }
wait_for 60 "view reads GitRepositories" can viewer get
wait_for 60 "edit creates GitRepositories" can editor create
can viewer create && fail "view must not create GitRepositories"
start_git
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: from-chart}
data: {value: "1"}
YAML
sha=$(commit "one setting")
sa=$work/serviceaccount
mkdir -p "$sa"
kubectl create token "$ns-gitopsd" -n "$ns" --duration=1h >"$sa/token"
kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}' | base64 -d >"$sa/ca.crt"
echo "$ns" >"$sa/namespace"
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
hostport=${server#https://}
port=$(reserve_port "$work")
agent_http=127.0.0.1:$port
env -u KUBECONFIG KUBERNETES_SERVICE_HOST="${hostport%:*}" KUBERNETES_SERVICE_PORT="${hostport##*:}" \
  GITOPSD_SERVICE_ACCOUNT_DIR="$sa" HOME="$work" \
  "$gitopsd_bin" run --watch-namespace "$ns" --http-addr "$agent_http" --cache-dir "$work/cache" --log-format text \
  >>"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "in-cluster agent ready" curl -sf "http://$agent_http/readyz" || fail "in-cluster agent not ready"
gitrepository app "  path: app"
wait_for 60 "synced in-cluster" is_ready_at app "$sha"
grep -q "in-cluster" "$work/agent.log" || fail "the agent must say it uses the in-cluster configuration"
metrics=$(curl -s "http://$agent_http/metrics")
grep -q "gitopsd_reconcile_total{name=\"app\",namespace=\"$ns\",result=\"success\"}" <<<"$metrics" ||
  fail "/metrics lacks the reconcile: $(grep reconcile_total <<<"$metrics")"
for m in gitopsd_reconcile_duration_seconds_bucket gitopsd_ready gitopsd_git_fetch_duration_seconds_count \
  gitopsd_objects_applied_total gitopsd_api_requests_total gitopsd_process_resident_memory_bytes \
  gitopsd_process_cpu_seconds_total; do
  grep -q "^$m" <<<"$metrics" || fail "/metrics lacks $m"
done
curl -sf "http://$agent_http/healthz" >/dev/null || fail "/healthz"

# SIGTERM: exits 0.
kill -TERM "$agent_pid"
code=0
wait "$agent_pid" || code=$?
agent_pid=""
expect_eq "$code" 0 "exit code after SIGTERM"
grep -q "stopped" "$work/agent.log" || fail "no clean stop in the log"
