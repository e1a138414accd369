#!/usr/bin/env bash
# Correctness at scale: 200 GitRepositories on one repository (one folder each, a ConfigMap and a
# Secret), created in one apply. Every object exists with its owner's tracking id, every status
# names the commit; a second commit touching every folder moves all of them on.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
apps=200

# fleet_commit VALUE MESSAGE: every folder's objects carry VALUE.
fleet_commit() {
  local i
  for i in $(seq -w 1 $apps); do
    mkdir -p "$work/src/apps/$i"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%s}\ndata: {value: "%s"}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: secret-%s}\nstringData: {value: "%s"}\n' \
      "$i" "$1" "$i" "$1" >"$work/src/apps/$i/objects.yaml"
  done
  commit "$2"
}
sha1=$(fleet_commit one "the fleet")
start_agent --concurrent 8
for i in $(seq -w 1 $apps); do
  printf -- '---\napiVersion: gitopsd.io/v1alpha1\nkind: GitRepository\nmetadata: {name: app-%s, namespace: %s}\nspec: {url: "%s", secretRef: {name: git-auth}, path: "apps/%s", interval: 5m, retryInterval: 2s, timeout: 2m, prune: true}\n' \
    "$i" "$ns" "$git_url" "$i"
done >"$work/fleet.yaml"
kubectl apply --server-side -f "$work/fleet.yaml" >/dev/null || fail "apply the fleet"

# at_revision SHA: how many GitRepositories are Ready with SHA applied.
at_revision() {
  kubectl get gitrepositories -n "$ns" -o json |
    jq --arg r "main@sha1:$1" '[.items[] | select(.status.lastAppliedRevision == $r and
      (.status.conditions // [] | map(select(.type == "Ready" and .status == "True")) | length == 1))] | length'
}
all_at() { [ "$(at_revision "$1")" = "$apps" ]; }
wait_for 400 "all $apps Ready at the first commit" all_at "$sha1"

# check_objects VALUE: 2 objects per application, each marked as its owner's, with VALUE.
check_objects() {
  local bad
  bad=$(kubectl get configmaps,secrets -n "$ns" -l gitopsd.io/name -o json | jq -r --arg ns "$ns" '
    .items[] | (.metadata.name | capture("^(cm|secret)-(?<n>[0-9]+)$").n) as $n
    | ("app-" + $n) as $owner
    | select(.metadata.labels["gitopsd.io/name"] != $owner
        or ((.metadata.annotations["gitopsd.io/tracking-id"] // "") | startswith($ns + "/" + $owner + ":") | not))
    | .metadata.name')
  [ -z "$bad" ] || fail "objects with the wrong owner marks: $bad"
  expect_eq "$(kubectl get configmaps -n "$ns" -l gitopsd.io/name -o json | jq '.items | length')" $apps "ConfigMaps"
  expect_eq "$(kubectl get secrets -n "$ns" -l gitopsd.io/name -o json | jq '.items | length')" $apps "Secrets"
  expect_eq "$(kubectl get configmaps -n "$ns" -l gitopsd.io/name -o json | jq --arg v "$1" '[.items[] | select(.data.value == $v)] | length')" \
    $apps "ConfigMaps with the value"
  expect_eq "$(kubectl get gitrepositories -n "$ns" -o json | jq '[.items[] | select(.status.inventory.entries | length == 2)] | length')" \
    $apps "inventories of two entries"
}
check_objects one

sha2=$(fleet_commit two "every folder changed")
kubectl annotate gitrepositories --all -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 400 "all $apps Ready at the second commit" all_at "$sha2"
check_objects two
