#!/usr/bin/env bash
# Tenant lockdown on a namespace-restricted install (RoleBindings only): a GitRepository acts as
# its serviceAccountName, or as --default-service-account when it names none, and so cannot write
# or read outside what that account may; with --no-cross-namespace-refs a dependsOn into another namespace
# is refused with AccessDenied.
source "$(dirname "$0")/lib.sh"
other=$ns-other
kubectl create namespace "$other" >/dev/null
on_exit 'kubectl delete namespace "$other" --wait=false >/dev/null 2>&1'
install_rbac --set "rbac.namespaces={$ns}"
start_git
# The tenant's account may edit ConfigMaps in its own namespace only, and read the Git credentials
# its GitRepositories name (they are read with its rights).
kubectl create serviceaccount tenant -n "$ns" >/dev/null
kubectl create role edit-configmaps -n "$ns" --verb=get,list,watch,create,update,patch,delete --resource=configmaps >/dev/null
kubectl create rolebinding tenant -n "$ns" --role=edit-configmaps --serviceaccount="$ns:tenant" >/dev/null
kubectl create role read-git-auth -n "$ns" --verb=get --resource=secrets --resource-name=git-auth >/dev/null
kubectl create rolebinding tenant-git-auth -n "$ns" --role=read-git-auth --serviceaccount="$ns:tenant" >/dev/null

write named/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: named}
data: {value: "1"}
YAML
write unnamed/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: unnamed}
data: {value: "1"}
YAML
write reach/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: reach}
data: {value: "1"}
YAML
sha=$(commit "one ConfigMap per application")
start_agent --default-service-account tenant --no-cross-namespace-refs

# Within its namespace both apply: one as its own account, one as the default.
gitrepository named "  path: named
  serviceAccountName: tenant"
gitrepository unnamed "  path: unnamed"
wait_for 40 "named Ready" is_ready_at named "$sha"
wait_for 40 "unnamed Ready" is_ready_at unnamed "$sha"

# Outside it, both are refused with the API server's words, naming the account acted as.
for app in named unnamed; do
  write "$app/elsewhere.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $app-elsewhere, namespace: $other}
data: {value: "1"}
YAML
done
commit "each reaches into another namespace" >/dev/null
for app in named unnamed; do
  wait_for 40 "$app ApplyFailed" failed_with "$app" ApplyFailed
  grep -qi "forbidden" <<<"$message" || fail "$app: the message must carry the API server's refusal: $message"
  grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "$app: the message must name the account: $message"
  grep -q "ConfigMap/$other/$app-elsewhere" <<<"$message" || fail "$app: the message must name the object: $message"
  absent configmap "$app-elsewhere" -n "$other" || fail "$app wrote into $other"
done
# The agent itself could not write there either, yet the refusal names the tenant: the default
# account was used, not the agent's identity.

# A dependency in another namespace is refused before anything is fetched or applied.
git -C "$work/src" rm -q named/elsewhere.yaml unnamed/elsewhere.yaml
commit "back home" >/dev/null
gitrepository reach "  path: reach
  serviceAccountName: tenant
  dependsOn: [{namespace: $other, name: anything}]"
wait_for 30 "AccessDenied" has_reason reach AccessDenied
message=$(ready_message reach)
grep -q "dependsOn $other/anything" <<<"$message" || fail "the message must name the reference: $message"
expect_eq "$(jsonpath gitrepository/reach '{.status.conditions[?(@.type=="Stalled")].status}')" True "Stalled"
kubectl get events -n "$ns" --field-selector involvedObject.name=reach -o jsonpath='{.items[*].reason}' | grep -q AccessDenied ||
  fail "an Event must say AccessDenied"
# The same dependency within the namespace is read with the account's rights: refused while the
# account may not read GitRepositories, allowed once it may.
gitrepository reach "  path: reach
  serviceAccountName: tenant
  dependsOn: [{name: named}]"
wait_for 30 "DependencyNotReady" failed_with reach DependencyNotReady
grep -qi "forbidden" <<<"$message" || fail "the dependency read must be refused: $message"
grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "the message must name the account: $message"
grep -q "dependency $ns/named (read as ServiceAccount $ns/tenant)" <<<"$message" || fail "the message must name the dependency: $message"
kubectl create role read-gitrepositories -n "$ns" --verb=get --resource=gitrepositories.gitopsd.io >/dev/null
kubectl create rolebinding tenant-gitrepositories -n "$ns" --role=read-gitrepositories --serviceaccount="$ns:tenant" >/dev/null
wait_for 40 "reach Ready once its dependency in the namespace is" is_ready_at reach "$(git -C "$work/src" rev-parse HEAD)"
