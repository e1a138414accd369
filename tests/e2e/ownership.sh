#!/usr/bin/env bash
# Ownership between tenants: one agent serving two namespaces. An object of another GitRepository
# is never taken (OwnershipConflict naming its owner, nothing of the commit applied, the owner's
# object untouched); an object made by hand is adopted only by policy (spec.adopt or its own
# annotation), and an adopted Namespace is orphaned, not pruned; a commit that renders nothing is
# refused (EmptyRender) unless spec.allowEmpty; names longer than 63 characters are refused.
source "$(dirname "$0")/lib.sh"
ns_b=$ns-b
ns_hand=$ns-hand
tenant=e2e-$RANDOM$RANDOM
install_rbac
kubectl create namespace "$ns_b" >/dev/null
on_exit "kubectl delete gitrepositories --all -n '$ns_b' --timeout=20s >/dev/null 2>&1"
on_exit "kubectl delete namespace '$ns_b' '$ns_hand' --wait=false >/dev/null 2>&1"
start_git
kubectl create secret generic git-auth -n "$ns_b" --from-literal=username="$USERNAME" \
  --from-literal=password="$PASSWORD" >/dev/null

shared() {  # OWNER: the same ConfigMap, declared by two repositories' paths
  cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: shared, namespace: $ns}
data: {owner: $1}
YAML
}
shared a | write a/cm.yaml
shared b | write b/cm.yaml
write b/own.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: b-own}
data: {value: "1"}
YAML
write hand/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: handmade}
data: {value: git}
YAML
write hand/annotated.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: annotated}
data: {value: git}
YAML
write hand/ns.yaml <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $ns_hand}
YAML
write c/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: c-cm}
data: {value: "1"}
YAML
sha=$(commit "two tenants, objects made by hand, and an app")

# One agent for both namespaces, selecting this scenario's objects by a label.
port=$(reserve_port "$work")
agent_http=127.0.0.1:$port
"$gitopsd_bin" run --kubeconfig "$work/agent.kubeconfig" --watch-label-selector "tenant=$tenant" \
  --http-addr "$agent_http" --cache-dir "$work/cache" --log-format text >>"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "gitopsd ready" curl -sf "http://$agent_http/readyz" >/dev/null || fail "gitopsd did not become ready"

repo() {  # NAMESPACE NAME PATH [EXTRA SPEC YAML]
  kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository $1/$2"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $2, namespace: $1, labels: {tenant: $tenant}}
spec:
  url: $git_url
  secretRef: {name: git-auth}
  path: $3
  interval: 5s
  retryInterval: 2s
  timeout: 60s
  prune: true
${4:-}
YAML
}
reason_in() { jsonpath "gitrepository/$2" '{.status.conditions[?(@.type=="Ready")].reason}' "$1"; }
message_in() { jsonpath "gitrepository/$2" '{.status.conditions[?(@.type=="Ready")].message}' "$1"; }
has_reason_in() { [ "$(reason_in "$1" "$2")" = "$3" ]; }
events_of() {  # NAMESPACE NAME: reason and message of each Event about the GitRepository
  kubectl get events -n "$1" --field-selector "involvedObject.name=$2" \
    -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}'
}

# --- Another GitRepository's object is never taken.
repo "$ns" a a
wait_for 60 "a Ready" is_ready_at a "$sha"
expect_eq "$(jsonpath configmap/shared '{.metadata.annotations.gitopsd\.io/tracking-id}')" "$ns/a:/ConfigMap:$ns/shared" \
  "tracking id of a's object"
version=$(jsonpath configmap/shared '{.metadata.resourceVersion}')
repo "$ns_b" b b
wait_for 60 "b refused with OwnershipConflict" has_reason_in "$ns_b" b OwnershipConflict
message=$(message_in "$ns_b" b)
grep -qF "ConfigMap/$ns/shared (b/cm.yaml" <<<"$message" || fail "conflict message does not name the object: $message"
grep -qF "belongs to GitRepository $ns/a" <<<"$message" || fail "conflict message does not name the owner: $message"
absent configmap b-own -n "$ns_b" || fail "b's other object was applied despite the conflict"
[ -z "$(jsonpath gitrepository/b '{.status.lastAppliedRevision}' "$ns_b")" ] || fail "b has an applied revision"
after_reconciles 2 b
after_reconciles 1 a
expect_eq "$(jsonpath configmap/shared '{.metadata.resourceVersion}')" "$version" "a's object after b's retries"
expect_eq "$(jsonpath configmap/shared '{.data.owner}')" a "a's object data"
is_ready_at a "$sha" || fail "a is not Ready any more: $(ready_message a)"
has_reason_in "$ns_b" b OwnershipConflict || fail "b left OwnershipConflict: $(message_in "$ns_b" b)"
[ "$(events_of "$ns_b" b | grep -c '^OwnershipConflict:')" -eq 1 ] || fail "one Warning per conflict: $(events_of "$ns_b" b)"
# Prune never deletes what carries another owner's tracking id, even when b's inventory lists it
# (as an older agent that took the object over would have left it): b's deletion prunes its inventory.
kubectl patch gitrepository b -n "$ns_b" --subresource=status --type merge \
  -p "{\"status\":{\"inventory\":{\"entries\":[{\"id\":\"${ns}_shared__ConfigMap\",\"v\":\"v1\"}]}}}" >/dev/null ||
  fail "patch b's inventory"
kubectl delete gitrepository b -n "$ns_b" --timeout=30s >/dev/null || fail "delete b"
exists configmap shared -n "$ns" || fail "deleting b deleted a's object"
expect_eq "$(jsonpath configmap/shared '{.metadata.resourceVersion}')" "$version" "a's object after b's deletion"

# --- Objects made by hand: adopted only by policy.
kubectl create configmap handmade -n "$ns" --from-literal=value=hand >/dev/null
kubectl create configmap annotated -n "$ns" --from-literal=value=hand >/dev/null
kubectl annotate configmap annotated -n "$ns" gitopsd.io/adopt=true >/dev/null
kubectl create namespace "$ns_hand" >/dev/null
kubectl annotate namespace "$ns_hand" gitopsd.io/adopt=true >/dev/null
repo "$ns" hand hand
wait_for 60 "hand refused with OwnershipConflict" has_reason hand OwnershipConflict
message=$(ready_message hand)
grep -qF "ConfigMap/$ns/handmade (hand/cm.yaml" <<<"$message" || fail "unmarked object not named: $message"
grep -qF "spec.adopt: true" <<<"$message" || fail "the message does not say how to adopt: $message"
if grep -qF "annotated" <<<"$message"; then fail "an object annotated for adoption is named as a conflict: $message"; fi
expect_eq "$(jsonpath configmap/handmade '{.data.value}')" hand "handmade before adoption"
expect_eq "$(jsonpath configmap/annotated '{.data.value}')" hand "annotated before adoption (nothing of the commit applied)"
repo "$ns" hand hand "  adopt: true"
wait_for 60 "hand Ready after adopting" is_ready_at hand "$sha"
for cm in handmade annotated; do
  expect_eq "$(jsonpath configmap/$cm '{.data.value}')" git "$cm after adoption"
  expect_eq "$(jsonpath configmap/$cm '{.metadata.annotations.gitopsd\.io/tracking-id}')" "$ns/hand:/ConfigMap:$ns/$cm" \
    "$cm tracking id"
  expect_eq "$(jsonpath configmap/$cm '{.metadata.annotations.gitopsd\.io/adopted}')" true "$cm adopted mark"
done
expect_eq "$(jsonpath namespace/$ns_hand '{.metadata.annotations.gitopsd\.io/adopted}')" true "Namespace adopted mark"
wait_for 10 "the Event says what was adopted" bash -c "kubectl get events -n '$ns' --field-selector involvedObject.name=hand \
  -o jsonpath='{.items[*].message}' | grep -q 'adopted 3'"

# --- The empty-render guard.
repo "$ns" c c
wait_for 60 "c Ready" is_ready_at c "$sha"
rm "$work/src/c/cm.yaml" "$work/src/hand/ns.yaml"
echo "nothing here yet" | write c/README.md
sha2=$(commit "empty c, and the adopted Namespace no longer declared")
wait_for 60 "c refused with EmptyRender" has_reason c EmptyRender
grep -qF "renders no objects" <<<"$(ready_message c)" || fail "EmptyRender message: $(ready_message c)"
exists configmap c-cm -n "$ns" || fail "an empty render pruned c's object"
repo "$ns" c c "  allowEmpty: true"
wait_for 60 "c Ready with allowEmpty" is_ready_at c "$sha2"
wait_for 20 "c-cm pruned" absent configmap c-cm -n "$ns"

# --- An adopted Namespace is orphaned by prune, with a Warning.
wait_for 60 "hand Ready at the second commit" is_ready_at hand "$sha2"
exists namespace "$ns_hand" || fail "prune deleted an adopted Namespace"
wait_for 10 "the Orphaned Warning" bash -c "kubectl get events -n '$ns' --field-selector involvedObject.name=hand,type=Warning \
  -o jsonpath='{.items[*].reason}' | grep -q Orphaned"

# --- Names longer than 63 characters are refused by the API server, with the reason.
long=$(printf 'a%.0s' {1..64})
if out=$(kubectl apply -f - 2>&1 <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $long, namespace: $ns}
spec: {url: $git_url, interval: 5m}
YAML
); then fail "a 64-character name was accepted"; fi
grep -q "at most 63 characters" <<<"$out" || fail "a 64-character name: $out"
ok=${long:1}
kubectl apply -f - >/dev/null <<YAML || fail "a 63-character name was refused"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $ok, namespace: $ns}
spec: {url: $git_url, interval: 5m, suspend: true}
YAML
# Strings are bounded too.
if out=$(kubectl apply -f - 2>&1 <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: longurl, namespace: $ns}
spec: {url: "https://example.com/$(printf 'x%.0s' {1..4100})", interval: 5m}
YAML
); then fail "a 4,100-character URL was accepted"; fi
grep -q "Too long" <<<"$out" || fail "a 4,100-character URL: $out"
