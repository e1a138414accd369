#!/usr/bin/env bash
# Deletion and finalizers: deletion comes first (a spec that no longer parses is still deleted and
# pruned), only our own finalizer is added and removed (another controller's survives, foreground
# deletion works), and inventory ids of names holding '_' (RBAC objects) stay readable.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
role=team_admin-$ns
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {value: "1"}
YAML
write app/role.yaml <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: $role}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
YAML
write other/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
data: {value: "1"}
YAML
sha=$(commit "settings, a ClusterRole named with '_', other")
start_agent
gitrepository app "  path: app"
gitrepository other "  path: other"
wait_for 60 "app Ready" is_ready_at app "$sha"
wait_for 60 "other Ready" is_ready_at other "$sha"
exists clusterrole "$role" || fail "ClusterRole $role not applied"

# An inventory id of a name with '_' reads back: Ready over three more reconciles.
after_reconciles 3 app
is_ready_at app "$sha" || fail "app not Ready after reconciles: $(ready_reason app): $(ready_message app)"

# Another controller's finalizer survives our reconciles.
kubectl patch gitrepository app -n "$ns" --type json \
  -p '[{"op":"add","path":"/metadata/finalizers/-","value":"example.com/keep"}]' >/dev/null
after_reconciles 2 app
finalizers=$(jsonpath gitrepository/app '{.metadata.finalizers}')
grep -q example.com/keep <<<"$finalizers" || fail "foreign finalizer dropped: $finalizers"
grep -q gitopsd.io/finalizer <<<"$finalizers" || fail "our finalizer dropped: $finalizers"

# Foreground deletion: we prune and take our finalizer off, leaving the others in place.
kubectl delete gitrepository app -n "$ns" --cascade=foreground --wait=false >/dev/null
wait_for 60 "app's objects pruned" absent configmap settings -n "$ns"
wait_for 30 "ClusterRole pruned" absent clusterrole "$role"
wait_for 30 "our finalizer released" bash -c \
  "! kubectl get gitrepository app -n '$ns' -o jsonpath='{.metadata.finalizers}' | grep -q gitopsd.io/finalizer"
grep -q example.com/keep <<<"$(jsonpath gitrepository/app '{.metadata.finalizers}')" ||
  fail "the other controller's finalizer was removed by us"
kubectl patch gitrepository app -n "$ns" --type json \
  -p '[{"op":"remove","path":"/metadata/finalizers/0"}]' >/dev/null 2>&1 || true
kubectl patch gitrepository app -n "$ns" --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
wait_for 30 "app gone" absent gitrepository app -n "$ns"

# A spec that stopped parsing (a zero interval passes the CRD, not the agent) still deletes.
kubectl patch gitrepository other -n "$ns" --type merge -p '{"spec":{"interval":"0s"}}' >/dev/null
wait_for 30 "InvalidSpec" has_reason other InvalidSpec
kubectl delete gitrepository other -n "$ns" --wait=false >/dev/null
wait_for 30 "other's objects pruned" absent configmap other -n "$ns"
wait_for 30 "other gone" absent gitrepository other -n "$ns"

# The agent keeps nothing of a deleted GitRepository: its metric series go too.
series_of() { curl -sf "http://$agent_http/metrics" | grep -v '^#' | grep -c "name=\"$1\"" || true; }
series_gone() { [ "$(series_of app)" = 0 ] && [ "$(series_of other)" = 0 ]; }
wait_for 30 "metric series of app and other gone" series_gone
