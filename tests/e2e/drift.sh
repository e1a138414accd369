#!/usr/bin/env bash
# Drift: a changed field and a deleted object are restored from Git; a field Git does not set,
# owned by another manager, is left alone. With both kinds watched, the intervals of an unchanged
# commit make no dry run (--drift-resync); drift_watch.sh times the repairs with a long interval.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: git}
YAML
write app/deploy.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
YAML
sha=$(commit "web and settings")
start_agent
interval=5s gitrepository app "  path: app"
wait_for 60 "first sync" is_ready_at app "$sha"

# Nothing changed: the next intervals list the remote's refs and make no dry run (the watches of
# both kinds stand in for it until the resync) and write nothing.
synced_watches() { [ "$(grep -c "drift watch synced" "$work/agent.log")" -ge 2 ]; }
wait_for 30 "drift watches on both kinds" synced_watches
requests() { metric gitopsd_api_requests_total "verb=\"$1\""; }  # VERB
applies=$(requests apply) checks=$(requests apply-dry-run)
after_reconciles 2 app
expect_eq "$(requests apply)" "$applies" "applies while nothing changed"
expect_eq "$(requests apply-dry-run)" "$checks" "dry runs of an unchanged, watched commit"

# A field Git sets, changed by hand, comes back.
kubectl patch configmap settings -n "$ns" --type merge -p '{"data":{"mode":"hand"}}' >/dev/null
wait_for 30 "mode restored" bash -c "[ \"\$(kubectl get configmap settings -n '$ns' -o jsonpath='{.data.mode}')\" = git ]"

# A deleted object comes back.
kubectl delete configmap settings -n "$ns" >/dev/null
wait_for 30 "settings recreated" exists configmap settings -n "$ns"

# Replicas: Git does not set them; a scale by another manager (an HPA, a person) stays.
kubectl scale deployment web -n "$ns" --replicas=3 >/dev/null
after_reconciles 2 app
expect_eq "$(jsonpath deployment/web '{.spec.replicas}')" 3 "replicas owned by another manager"

# Both corrections were counted (a sample, not the # HELP line).
[ "$(metric gitopsd_drift_corrections_total "name=\"app\"")" -ge 2 ] || fail "drift corrections not counted"
