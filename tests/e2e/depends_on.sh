#!/usr/bin/env bash
# dependsOn from the watch: a dependent waiting on a dependency starts as soon as the dependency
# turns Ready, not one retryInterval later (here 5 minutes, so waiting it out fails the test).
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write base/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: base}
data: {value: "1"}
YAML
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data: {value: "1"}
YAML
sha=$(commit "base and app")
start_agent
slow_repo() {  # NAME PATH [EXTRA]: interval and retryInterval 5m
  kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository $1"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $1, namespace: $ns}
spec:
  url: $git_url
  secretRef: {name: git-auth}
  path: $2
  interval: 5m
  retryInterval: 5m
  timeout: 60s
${3:-}
YAML
}
slow_repo app app "  dependsOn: [{name: base}]"
wait_for 30 "app waits for base" has_reason app DependencyNotReady
absent configmap app -n "$ns" || fail "app applied before its dependency"

slow_repo base base
wait_for 60 "base Ready" is_ready_at base "$sha"
base_ready=$(date +%s%3N)
wait_for 30 "app Ready after base" is_ready_at app "$sha"
took=$(($(date +%s%3N) - base_ready))
log "app Ready ${took} ms after base was seen Ready (target 2000 ms)"
grep -q "dependency ready; starting its dependent" "$work/agent.log" || fail "the dependent was not started by the watch"
expect_eq "$(jsonpath configmap/app '{.data.value}')" 1 "app's ConfigMap"
