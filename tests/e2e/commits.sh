#!/usr/bin/env bash
# New commits: changes applied, removed files pruned, an invalid commit applies nothing and names
# the object, and fixing it recovers.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
for name in one two three; do
  write app/$name.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $name}
data: {value: "1"}
YAML
done
sha1=$(commit "three settings")
start_agent
gitrepository app "  path: app"
wait_for 60 "first sync" is_ready_at app "$sha1"

# A change and a removal in one commit.
sed -i 's/"1"/"2"/' "$work/src/app/one.yaml"
rm "$work/src/app/three.yaml"
sha2=$(commit "change one, drop three")
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "second commit" is_ready_at app "$sha2"
expect_eq "$(jsonpath configmap/one '{.data.value}')" 2 "changed value"
wait_for 10 "three pruned" absent configmap three -n "$ns"
exists configmap two -n "$ns" || fail "two must stay"

# Invalid objects (a wrong type, a misspelt field): nothing of the commit is applied, and the
# message names each object and file.
sed -i 's/"2"/"3"/' "$work/src/app/one.yaml"
write app/bad.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  replicas: many
---
apiVersion: v1
kind: ConfigMap
metadata: {name: misspelt}
dta: {key: value}
YAML
sha3=$(commit "a broken deployment")
wait_for 30 "ApplyFailed" has_reason app ApplyFailed
message=$(ready_message app)
grep -q "Deployment/$ns/broken (app/bad.yaml#1)" <<<"$message" || fail "message must name the object and file: $message"
grep -q "ConfigMap/$ns/misspelt (app/bad.yaml#2): .*\.dta: field not declared in schema" <<<"$message" ||
  fail "a misspelt field must be refused, named: $message"
absent configmap misspelt -n "$ns" || fail "nothing of the invalid commit created"
expect_eq "$(jsonpath configmap/one '{.data.value}')" 2 "nothing of the invalid commit applied"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAppliedRevision}')" "main@sha1:$sha2" "last applied stays"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAttemptedRevision}')" "main@sha1:$sha3" "last attempted"

# The fix recovers.
rm "$work/src/app/bad.yaml"
sha4=$(commit "drop the broken deployment")
wait_for 30 "recovered" is_ready_at app "$sha4"
expect_eq "$(jsonpath configmap/one '{.data.value}')" 3 "fixed commit applied"

# A render error (bad YAML) is a BuildFailed naming the file and line, and prunes nothing.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n' >"$work/src/app/typo.yaml"
commit "a typo" >/dev/null
wait_for 30 "BuildFailed" has_reason app BuildFailed
grep -q "app/typo.yaml" <<<"$(ready_message app)" || fail "BuildFailed must name the file: $(ready_message app)"
exists configmap one -n "$ns" || fail "a render failure must not prune"
