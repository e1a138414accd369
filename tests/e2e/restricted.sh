#!/usr/bin/env bash
# A namespace-restricted install (rbac.namespaces) cannot touch other namespaces and says so.
source "$(dirname "$0")/lib.sh"
other=$ns-other
kubectl create namespace "$other" >/dev/null
on_exit 'kubectl delete namespace "$other" --wait=false >/dev/null 2>&1' 
install_rbac --set "rbac.namespaces={$ns}"
start_git
write app/mine.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: mine}
data: {value: "1"}
YAML
write app/theirs.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: theirs, namespace: $other}
data: {value: "1"}
YAML
commit "one in each namespace" >/dev/null
start_agent
gitrepository app "  path: app"
wait_for 40 "ApplyFailed" has_reason app ApplyFailed
message=$(ready_message app)
grep -q "ConfigMap/$other/theirs" <<<"$message" || fail "message must name the object: $message"
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
absent configmap theirs -n "$other" || fail "the other namespace was touched"
absent configmap mine -n "$ns" || fail "nothing of an invalid commit is applied"
