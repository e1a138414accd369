#!/usr/bin/env bash
# A health wait holds no reconcile slot: with --concurrent 1, a GitRepository whose Deployment
# never becomes Available waits (wait: true), and another one syncs meanwhile. A push of a fix
# with its webhook cancels the wait in progress; the new commit is Ready long before the old
# wait's timeout.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
deployment() {  # SELECTOR-LINE
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
$1
      containers: [{name: web, image: nginx:1.27}]
YAML
}
deployment '      nodeSelector: {no-such-node: "true"}' | write slow/deploy.yaml
write fast/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: fast}
data: {value: "1"}
YAML
sha1=$(commit "a Deployment that cannot schedule, and a ConfigMap")
token="hook-token-$RANDOM$RANDOM"
kubectl create secret generic hook-token -n "$ns" --from-literal=token="$token" >/dev/null
hook_port=$(reserve_port "$work")
start_agent --concurrent 1 --webhook-addr "127.0.0.1:$hook_port"

interval=5m
kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository slow"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: slow, namespace: $ns}
spec:
  url: $git_url
  secretRef: {name: git-auth}
  path: slow
  interval: 5m
  timeout: 5m
  wait: true
  webhook: {secretRef: {name: hook-token}}
YAML
in_wait() { [[ "$(ready_message slow)" == *"waiting for 1 objects to become ready"* ]]; }
wait_for 60 "slow in its health wait" in_wait
# The one slot is free while slow waits: fast syncs now, not after slow's 5 minute timeout.
gitrepository fast "  path: fast"
wait_for 30 "fast Ready while slow waits" is_ready_at fast "$sha1"
in_wait || fail "slow left its wait: $(ready_message slow)"

# The fix, pushed with its webhook: the wait of the previous commit gives way.
deployment "" | write slow/deploy.yaml
sha2=$(commit "schedulable")
body='{"ref":"refs/heads/main"}'
sig="sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$token" | awk '{print $NF}')"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -H "X-GitHub-Event: push" \
  -H "X-Hub-Signature-256: $sig" --data-binary "$body" "http://127.0.0.1:$hook_port/hook/$ns/slow")
expect_eq "$code" 202 "webhook"
wait_for 60 "slow Ready at the fix" is_ready_at slow "$sha2"
grep -q "cancelling the health wait of the previous one" "$work/agent.log" || fail "the wait was not cancelled"
