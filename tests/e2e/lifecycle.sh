#!/usr/bin/env bash
# dependsOn ordering, suspend, requestedAt, and deleting a GitRepository with prune.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write base/a.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: base}
data: {value: "1"}
YAML
write app/b.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: app}
data: {value: "1"}
YAML
sha=$(commit "base and app")
start_agent
# The app depends on a base that does not exist yet: it waits, and says why.
gitrepository app "  path: app
  dependsOn: [{name: base}]"
wait_for 30 "DependencyNotReady" has_reason app DependencyNotReady
absent configmap app -n "$ns" || fail "app applied before its dependency"
gitrepository base "  path: base"
wait_for 60 "base Ready" is_ready_at base "$sha"
wait_for 60 "app Ready after base" is_ready_at app "$sha"

# Suspend: changes in Git wait.
kubectl patch gitrepository app -n "$ns" --type merge -p '{"spec":{"suspend":true}}' >/dev/null
sed -i 's/"1"/"2"/' "$work/src/app/b.yaml"
sha2=$(commit "app 2")
# Positive evidence that the agent saw the commit: base (same repository, not suspended) applied it.
wait_for 60 "base at the new commit" is_ready_at base "$sha2"
after_reconciles 1 base
expect_eq "$(jsonpath configmap/app '{.data.value}')" 1 "suspended: not applied"
kubectl patch gitrepository app -n "$ns" --type merge -p '{"spec":{"suspend":false}}' >/dev/null
wait_for 30 "resumed" is_ready_at app "$sha2"

# requestedAt: reconciles at once and is echoed in status.
interval=1h gitrepository base "  path: base"
sed -i 's/"1"/"2"/' "$work/src/base/a.yaml"
sha3=$(commit "base 2")
kubectl annotate gitrepository base -n "$ns" gitopsd.io/requestedAt=now-1 --overwrite >/dev/null
wait_for 30 "requested reconcile" is_ready_at base "$sha3"
expect_eq "$(jsonpath gitrepository/base '{.status.lastHandledReconcileAt}')" now-1 "lastHandledReconcileAt"

# Delete with prune: the finalizer removes the objects, then the GitRepository goes.
expect_eq "$(jsonpath gitrepository/app '{.metadata.finalizers[0]}')" gitopsd.io/finalizer "finalizer"
kubectl delete gitrepository app -n "$ns" --wait=false >/dev/null
wait_for 30 "app pruned" absent configmap app -n "$ns"
wait_for 30 "GitRepository gone" absent gitrepository app -n "$ns"
exists configmap base -n "$ns" || fail "other GitRepository's objects must stay"
