#!/usr/bin/env bash
# spec.serviceAccountName: every API call for that GitRepository impersonates the account, and
# what its RBAC forbids is reported clearly in status.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: tenant}
data: {value: "1"}
YAML
sha=$(commit "tenant config")
kubectl create serviceaccount tenant -n "$ns" >/dev/null
start_agent
gitrepository app "  path: app
  serviceAccountName: tenant"
wait_for 30 "ApplyFailed" has_reason app ApplyFailed
message=$(ready_message app)
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "message must name the account: $message"
absent configmap tenant -n "$ns" || fail "nothing applied without rights"

# With a Role the same GitRepository syncs.
kubectl create role edit-configmaps -n "$ns" --verb=get,list,watch,create,update,patch,delete --resource=configmaps >/dev/null
kubectl create rolebinding tenant -n "$ns" --role=edit-configmaps --serviceaccount="$ns:tenant" >/dev/null
wait_for 40 "Ready as tenant" is_ready_at app "$sha"
expect_eq "$(kubectl get configmap tenant -n "$ns" -o jsonpath='{.metadata.managedFields[0].manager}')" gitopsd "field manager"
