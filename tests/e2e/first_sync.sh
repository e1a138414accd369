#!/usr/bin/env bash
# First sync of a kustomize overlay; the kubectl view; labels, tracking ids and the Event.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
mkdir -p "$work/src/deploy"
cp -r "$repo_root/examples/guestbook" "$work/src/deploy/"
# The overlay's namespace made unique, so runs in parallel do not share it.
app_ns=$ns-demo
sed -i "s/guestbook-demo/$app_ns/" "$work/src/deploy/guestbook/overlays/demo/"*.yaml
on_exit 'kubectl delete namespace "$app_ns" --wait=false >/dev/null 2>&1'
sha=$(commit "Add the guestbook")
start_agent
gitrepository guestbook "  path: deploy/guestbook/overlays/demo
  wait: true"
wait_for 60 "guestbook Ready at $sha" is_ready_at guestbook "$sha"

# The objects of the overlay, with the overlay's changes and our ownership marks.
expect_eq "$(jsonpath deployment/frontend '{.spec.replicas}' "$app_ns")" 2 "replicas from the overlay"
expect_eq "$(jsonpath deployment/frontend '{.spec.template.spec.containers[0].image}' "$app_ns")" nginx:1.27.2 "image tag"
expect_eq "$(jsonpath configmap/frontend-config '{.data.GREETING}' "$app_ns")" "Hello from the demo overlay" "patched ConfigMap"
expect_eq "$(jsonpath deployment/frontend '{.metadata.labels.gitopsd\.io/name}' "$app_ns")" guestbook "owner label"
expect_eq "$(jsonpath deployment/frontend '{.metadata.annotations.gitopsd\.io/tracking-id}' "$app_ns")" \
  "$ns/guestbook:apps/Deployment:$app_ns/frontend" "tracking id"
kubectl wait --for=condition=Available deployment/frontend -n "$app_ns" --timeout=120s >/dev/null ||
  fail "the Deployment is not available"

# The kubectl view users read.
view=$(kubectl get gitrepositories -n "$ns")
log "$view"
grep -q "URL *REVISION *READY *STATUS *AGE" <<<"$view" || fail "printer columns: $view"
grep -q "main@sha1:$sha *True *Applied revision: main@sha1:$sha" <<<"$view" || fail "row: $view"
exists gitopsrepo guestbook -n "$ns" || fail "short name gitopsrepo"

# Inventory in status: the four objects of the overlay.
inventory=$(jsonpath gitrepository/guestbook '{range .status.inventory.entries[*]}{.id}{"\n"}{end}')
expect_eq "$(wc -l <<<"$inventory")" 4 "inventory entries"
grep -qx "${app_ns}_frontend_apps_Deployment" <<<"$inventory" || fail "inventory: $inventory"

# One Event names the change, the commit and its author.
wait_for 10 "the sync Event" bash -c "kubectl get events -n '$ns' -o jsonpath='{.items[*].message}' | grep -q 'created'"
events=$(kubectl get events -n "$ns" -o jsonpath='{range .items[*]}{.message}{"\n"}{end}')
grep -q "created .* at main@sha1:$sha (${sha:0:7} by Alice <alice@example.com>: Add the guestbook)" <<<"$events" ||
  fail "event: $events"
