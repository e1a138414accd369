#!/usr/bin/env bash
# Drift repair from watches: with a 5 minute interval (so polling cannot explain the timings), a
# deleted ConfigMap and an edited Deployment field that Git sets are put back at once; a change
# of a field Git does not set (replicas by another manager, an added annotation) applies nothing;
# an edit made under the agent's own field manager name is restored too; so is a deleted object
# whose only watch event came before its owner's inventory listed it.
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
interval=5m gitrepository app "  path: app"
wait_for 60 "first sync" is_ready_at app "$sha"
# Both kinds watched and listed (a change before the list lands would be its first sight).
synced_watches() { [ "$(grep -c "drift watch synced" "$work/agent.log")" -ge 2 ]; }
wait_for 30 "drift watches on both kinds" synced_watches

requests() { metric gitopsd_api_requests_total "verb=\"$1\""; }  # VERB
now_ms() { date +%s%3N; }
took() { log "$1 after $(($(now_ms) - t0)) ms (target 2000 ms)"; }  # WHAT

settled() {  # the reconcile count unchanged for 3 s
  local a b
  a=$(metric gitopsd_reconcile_total 'name="app"')
  sleep 3
  b=$(metric gitopsd_reconcile_total 'name="app"')
  [ "$a" = "$b" ]
}
wait_for 60 "reconciles settled" settled

# A deleted ConfigMap comes back at once (2 s is the target; 10 s allows for a busy machine).
dry_runs=$(requests apply-dry-run) applies=$(requests apply)
t0=$(now_ms)
kubectl delete configmap settings -n "$ns" >/dev/null
wait_for 10 "ConfigMap recreated" exists configmap settings -n "$ns"
took "ConfigMap recreated"
# Only the object that drifted is checked and written, not every object of the commit.
wait_for 60 "reconciles settled" settled
expect_eq "$(($(requests apply-dry-run) - dry_runs))" 1 "dry runs to repair one deleted object of two"
expect_eq "$(($(requests apply) - applies))" 1 "applies to repair one deleted object"

# A Deployment field that Git sets, edited by hand, is restored.
image_is_git() { [ "$(jsonpath deployment/web '{.spec.template.spec.containers[0].image}')" = nginx:1.27 ]; }
t0=$(now_ms)
kubectl set image deployment/web -n "$ns" web=nginx:1.26 >/dev/null
wait_for 10 "Deployment image restored" image_is_git
took "Deployment image restored"
[ "$(metric gitopsd_drift_events_total 'name="app"')" -ge 2 ] || fail "drift events not counted"

# Replicas: Git does not set them. The scale bumps the generation, so the owner reconciles once;
# its dry run finds nothing to change and nothing is applied.
wait_for 60 "reconciles settled" settled  # runs still queued by the changes above (see below)
applies=$(requests apply)
count=$(metric gitopsd_reconcile_total 'name="app"')  # before the change: its reconcile may be quick
kubectl scale deployment web -n "$ns" --replicas=3 >/dev/null
wait_for 60 "a reconcile after the scale" metric_at_least gitopsd_reconcile_total 'name="app"' $((count + 1))
wait_for 60 "reconciles settled" settled
after_scale=$(requests apply)
# One apply may race the scale (the live object read just before it, the dry run just after);
# more would be a loop.
[ "$after_scale" -le $((applies + 1)) ] || fail "applies after a scale by another manager: $((after_scale - applies))"
log "applies after the scale: $((after_scale - applies))"
applies=$after_scale
expect_eq "$(jsonpath deployment/web '{.spec.replicas}')" 3 "replicas owned by another manager"

# An annotation added by another manager: this API server bumps a Deployment's generation for it
# too, so the owner may reconcile once; its dry run finds nothing Git sets changed: no apply.
kubectl annotate deployment web -n "$ns" --field-manager=someone example.com/note=hi >/dev/null
sleep 1
wait_for 60 "reconciles settled" settled
expect_eq "$(requests apply)" "$applies" "applies after an annotation by another manager"
expect_eq "$(jsonpath deployment/web '{.metadata.annotations.example\.com/note}')" hi "annotation of another manager"

# A ConfigMap has no generation, so its annotation is judged by one dry run, which finds nothing.
count=$(metric gitopsd_reconcile_total 'name="app"')
kubectl annotate configmap settings -n "$ns" --field-manager=someone example.com/note=hi >/dev/null
wait_for 60 "a reconcile after the annotation" metric_at_least gitopsd_reconcile_total 'name="app"' $((count + 1))
expect_eq "$(requests apply)" "$applies" "applies after an annotation of a ConfigMap"
expect_eq "$(jsonpath configmap/settings '{.metadata.annotations.example\.com/note}')" hi "annotation of a ConfigMap"

# Our field manager's name proves nothing: an edit applied under it by someone else is still
# restored (only the versions our own applies got back are taken for our writes).
kubectl get deployment web -n "$ns" -o json | jq '{apiVersion, kind,
  metadata: {name: .metadata.name, namespace: .metadata.namespace, labels: .metadata.labels, annotations: .metadata.annotations},
  spec: {selector: .spec.selector, template: {metadata: .spec.template.metadata, spec: {containers: [{name: "web", image: "nginx:1.25"}]}}}}' \
  >"$work/impostor.json"
t0=$(now_ms)
kubectl apply --server-side --field-manager=gitopsd --force-conflicts -f "$work/impostor.json" >/dev/null
wait_for 10 "image written under our manager name restored" image_is_git
took "Deployment image restored after a write under our manager name"

# A second GitRepository whose kind is already watched (for the first): the watch sees its objects
# created before its status lists them, and still restores one deleted afterwards.
write app2/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: second}
data: {mode: git}
YAML
sha2=$(commit "a second application")
interval=5m gitrepository app2 "  path: app2"
wait_for 60 "second application synced" is_ready_at app2 "$sha2"
sleep 2
t0=$(now_ms)
kubectl delete configmap second -n "$ns" >/dev/null
wait_for 10 "second application's ConfigMap recreated" exists configmap second -n "$ns"
took "second application's ConfigMap recreated"

# An object that already carries a GitRepository's marks before that GitRepository exists (made
# by hand, or left by an earlier one): its apply changes nothing, so the watch's only event of it
# came while no inventory listed it. Deleted afterwards, it is restored all the same.
write app3/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: third}
data: {mode: git}
YAML
sha3=$(commit "a third application")
kubectl get configmap second -n "$ns" -o json | jq --arg ns "$ns" '{apiVersion, kind,
  metadata: {name: "third", namespace: $ns,
    labels: (.metadata.labels | .["gitopsd.io/name"] = "app3"),
    annotations: {"gitopsd.io/tracking-id": ($ns + "/app3:/ConfigMap:" + $ns + "/third"),
      "gitopsd.io/source": "app3/config.yaml#1"}},
  data}' >"$work/third.json"
kubectl apply --server-side --field-manager=gitopsd -f "$work/third.json" >/dev/null
version=$(jsonpath configmap/third '{.metadata.resourceVersion}')
interval=5m gitrepository app3 "  path: app3"
wait_for 60 "third application synced" is_ready_at app3 "$sha3"
expect_eq "$(jsonpath configmap/third '{.metadata.resourceVersion}')" "$version" \
  "the third ConfigMap unchanged by its first sync (no watch event after the one before it was listed)"
t0=$(now_ms)
kubectl delete configmap third -n "$ns" >/dev/null
wait_for 10 "third application's ConfigMap recreated" exists configmap third -n "$ns"
took "third application's ConfigMap recreated"
