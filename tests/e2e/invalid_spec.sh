#!/usr/bin/env bash
# Bad GitRepository specs fail alone: a 40 kB URL is refused by the API server (the CRD bounds
# every string), a spec the agent cannot use (or a branch the server lacks) is Stalled with
# InvalidSpec, and the agent keeps serving the other GitRepositories meanwhile.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {value: "1"}
YAML
sha=$(commit "settings")
start_agent
gitrepository good "  path: app"
wait_for 60 "good Ready" is_ready_at good "$sha"

long=$(head -c 40000 /dev/zero | tr '\0' a)
if out=$(kubectl apply -f - 2>&1 <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: long-url, namespace: $ns}
spec: {url: "https://example.com/$long", interval: 1m}
YAML
); then fail "a 40 kB URL was accepted"; fi
grep -qi "spec.url" <<<"$out" || fail "the refusal must name spec.url: ${out:0:300}"

# Passes the CRD, not the agent: Stalled, with the field named, and no retry loop.
kubectl apply -f - >/dev/null <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: zero, namespace: $ns}
spec: {url: "$git_url", interval: 0s}
YAML
wait_for 30 "InvalidSpec" has_reason zero InvalidSpec
expect_eq "$(jsonpath gitrepository/zero '{.status.conditions[?(@.type=="Stalled")].status}')" True "Stalled"
grep -q "spec.interval" <<<"$(ready_message zero)" || fail "message must name spec.interval: $(ready_message zero)"

# A file:// URL that this agent does not allow (no --allow-file-urls): no retry can fix it.
kubectl apply -f - >/dev/null <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: local, namespace: $ns}
spec: {url: "file:///srv/repo.git", interval: 1m, retryInterval: 1s}
YAML
wait_for 30 "file:// URL InvalidSpec" has_reason local InvalidSpec
expect_eq "$(jsonpath gitrepository/local '{.status.conditions[?(@.type=="Stalled")].status}')" True "file:// Stalled"
grep -q "file:// URLs are not allowed" <<<"$(ready_message local)" || fail "message: $(ready_message local)"

# A branch the Git server does not have (it answered the listing): no retry can fix it, so
# Stalled; the interval looks again, and pushing the branch heals it without a spec change.
interval=5s gitrepository nobranch "  path: release
  ref: {branch: release}"
wait_for 30 "unknown branch InvalidSpec" has_reason nobranch InvalidSpec
expect_eq "$(jsonpath gitrepository/nobranch '{.status.conditions[?(@.type=="Stalled")].status}')" True "unknown branch Stalled"
grep -q 'branch "release" not found' <<<"$(ready_message nobranch)" || fail "message: $(ready_message nobranch)"
write release/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: release-settings}
data: {value: "r"}
YAML
release_sha=$(commit "release")
git -C "$work/src" push -q origin main:release 2>/dev/null || fail "git push release"
release_ready() {
  [ "$(jsonpath gitrepository/nobranch '{.status.lastAppliedRevision}')" = "release@sha1:$release_sha" ]
}
wait_for 60 "nobranch applied once the branch exists" release_ready
expect_eq "$(jsonpath configmap/release-settings '{.data.value}')" r "release applied"

# The good one keeps applying new commits.
sed -i 's/"1"/"2"/' "$work/src/app/cm.yaml"
sha2=$(commit "settings 2")
wait_for 60 "good at the new commit" is_ready_at good "$sha2"
expect_eq "$(jsonpath configmap/settings '{.data.value}')" 2 "applied"
