#!/usr/bin/env bash
# Deleting the namespace of a GitRepository that impersonates a ServiceAccount: the account and
# its RoleBinding go with the namespace, so pruning can never succeed; the agent releases its
# finalizer (saying what it left) and the namespace is gone within a minute.
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
kubectl create role edit-configmaps -n "$ns" --verb=get,list,watch,create,update,patch,delete --resource=configmaps >/dev/null
kubectl create rolebinding tenant -n "$ns" --role=edit-configmaps --serviceaccount="$ns:tenant" >/dev/null
kubectl create role read-git-auth -n "$ns" --verb=get --resource=secrets --resource-name=git-auth >/dev/null
kubectl create rolebinding tenant-git-auth -n "$ns" --role=read-git-auth --serviceaccount="$ns:tenant" >/dev/null
# The agent itself must outlive the namespace: it runs with the cluster's admin credentials here.
cp "$KUBECONFIG" "$work/agent.kubeconfig"
start_agent
gitrepository app "  path: app
  serviceAccountName: tenant"
wait_for 60 "Ready as tenant" is_ready_at app "$sha"

# The namespace controller deletes in no fixed order; take the binding away first, as it may.
kubectl delete rolebinding tenant -n "$ns" >/dev/null
kubectl delete namespace "$ns" --wait=false >/dev/null
wait_for 90 "namespace gone" absent namespace "$ns"
grep -q "finalizer released without pruning" "$work/agent.log" || fail "the agent did not say what it left"
