#!/usr/bin/env bash
# wait: true. Ready only once applied objects are healthy; a Deployment that cannot become
# available within the timeout is HealthCheckFailed, naming it and why.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/stuck.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: stuck}
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec:
      nodeSelector: {no-such-node: "true"}
      containers: [{name: web, image: nginx:1.27}]
YAML
sha=$(commit "a Deployment no node can run")
start_agent
kubectl apply -f - >/dev/null <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: app, namespace: $ns}
spec: {url: $git_url, secretRef: {name: git-auth}, path: app, interval: 1m, timeout: 15s, wait: true}
YAML
wait_for 60 "HealthCheckFailed" has_reason app HealthCheckFailed
message=$(ready_message app)
grep -q "Deployment/$ns/stuck" <<<"$message" || fail "the message must name the Deployment: $message"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAttemptedRevision}')" "main@sha1:$sha" "attempted revision"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAppliedRevision}')" "" "not applied in full"

# Once the Deployment can run, the same commit becomes Ready.
kubectl label node --all no-such-node=true --overwrite >/dev/null
on_exit 'kubectl label node --all no-such-node- >/dev/null 2>&1'
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt=retry --overwrite >/dev/null
wait_for 60 "Ready once healthy" is_ready_at app "$sha"
kubectl wait --for=condition=Available deployment/stuck -n "$ns" --timeout=10s >/dev/null || fail "not available"
