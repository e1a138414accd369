#!/usr/bin/env bash
# postBuild substitution from a ConfigMap and a Secret, and a .sourceignore that keeps a broken
# file out of the build: synced Ready with the values, a changed ConfigMap value is applied at
# the next reconcile of the same commit, and the Secret's value reaches no log, Event or status.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
secret_value=s3cr3t-$RANDOM-value
kubectl create configmap cluster-vars -n "$ns" --from-literal=APP_COLOR=blue --from-literal=REGION=eu >/dev/null
kubectl create secret generic cluster-secrets -n "$ns" --from-literal=DB_PASSWORD="$secret_value" >/dev/null

write clusters/dev/kustomization.yaml <<'YAML'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [settings.yaml]
YAML
write clusters/dev/settings.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data:
  color: ${APP_COLOR}
  region: ${REGION}
  zone: ${ZONE:=zone-a}
  password: ${DB_PASSWORD}
  literal: $${APP_COLOR}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: raw
  annotations: {gitopsd.io/substitute: disabled}
data:
  value: ${APP_COLOR}
YAML
write plain/good.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: good}
data: {value: "1"}
YAML
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\n' >"$work/src/plain/broken.yaml"
printf '# kept out of every build\nbroken.yaml\n' >"$work/src/plain/.sourceignore"
sha=$(commit "substitution and ignore")
start_agent

gitrepository app "  path: clusters/dev
  postBuild:
    substitute: {REGION: us}
    substituteFrom:
    - {kind: ConfigMap, name: cluster-vars}
    - {kind: Secret, name: cluster-secrets}
    - {kind: ConfigMap, name: not-there, optional: true}"
gitrepository plain "  path: plain"
wait_for 60 "substituted sync" is_ready_at app "$sha"
wait_for 30 "plain folder without the ignored file" is_ready_at plain "$sha"
expect_eq "$(jsonpath configmap/settings '{.data.color}')" blue "value from the ConfigMap"
expect_eq "$(jsonpath configmap/settings '{.data.region}')" us "spec.postBuild.substitute wins"
expect_eq "$(jsonpath configmap/settings '{.data.zone}')" zone-a "default"
expect_eq "$(jsonpath configmap/settings '{.data.password}')" "$secret_value" "value from the Secret"
expect_eq "$(jsonpath configmap/settings '{.data.literal}')" '${APP_COLOR}' "escaped reference"
expect_eq "$(jsonpath configmap/raw '{.data.value}')" '${APP_COLOR}' "substitution disabled"
exists configmap good -n "$ns" || fail "the plain folder must sync"

# Same commit, new ConfigMap value: the next reconcile applies it.
kubectl patch configmap cluster-vars -n "$ns" --type merge -p '{"data":{"APP_COLOR":"green"}}' >/dev/null
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "changed ConfigMap value applied" \
  bash -c "[ \"\$(kubectl get configmap settings -n $ns -o jsonpath='{.data.color}')\" = green ]"

# A missing substituteFrom object that is not optional fails the reconcile, naming it.
gitrepository missing "  path: clusters/dev
  postBuild:
    substituteFrom:
    - {kind: ConfigMap, name: nowhere}"
wait_for 30 "missing ConfigMap" has_reason missing BuildFailed
grep -q "ConfigMap $ns/nowhere" <<<"$(ready_message missing)" || fail "must name the ConfigMap: $(ready_message missing)"

# Strict mode: an undefined variable is an error naming it.
gitrepository strict "  path: clusters/dev
  postBuild:
    strict: true
    substitute: {APP_COLOR: red, REGION: x}"
wait_for 30 "strict failure" has_reason strict BuildFailed
grep -q 'variable not set (strict mode): "DB_PASSWORD"' <<<"$(ready_message strict)" ||
  fail "strict must name the variable: $(ready_message strict)"

# The Secret's value is in the applied object only.
if grep -q "$secret_value" "$work/agent.log"; then fail "the Secret value is in the agent log"; fi
if kubectl get events -n "$ns" -o yaml | grep -q "$secret_value"; then fail "the Secret value is in an Event"; fi
if kubectl get gitrepositories -n "$ns" -o yaml | grep -q "$secret_value"; then fail "the Secret value is in a status"; fi
