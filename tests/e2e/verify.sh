#!/usr/bin/env bash
# spec.verify: a commit signed with a trusted SSH key is applied and status.verifiedBy names the
# key; an unsigned commit pushed after it, and then one signed by another key, are refused with
# VerificationFailed and the objects of the verified revision stay; a signed fix recovers.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
ssh-keygen -q -t ed25519 -N '' -C trusted -f "$work/trusted"
ssh-keygen -q -t ed25519 -N '' -C other -f "$work/other"
fingerprint=$(ssh-keygen -l -E sha256 -f "$work/trusted.pub" | awk '{print $2}')
other_fingerprint=$(ssh-keygen -l -E sha256 -f "$work/other.pub" | awk '{print $2}')
kubectl create secret generic release-keys -n "$ns" --from-file=ci.pub="$work/trusted.pub" >/dev/null

# signed_commit KEY MESSAGE: commits with an SSH signature by KEY and pushes.
signed_commit() {
  git -C "$work/src" add -A
  git -C "$work/src" -c gpg.format=ssh -c user.signingkey="$1" commit -q -S -m "$2" --allow-empty
  git -C "$work/src" push -q origin main 2>/dev/null || fail "git push"
  git -C "$work/src" rev-parse HEAD
}

write app/settings.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {value: "1"}
YAML
sha1=$(signed_commit "$work/trusted" "signed settings")
start_agent
gitrepository app "  path: app
  verify:
    mode: HEAD
    secretRef: {name: release-keys}"
wait_for 60 "signed commit applied" is_ready_at app "$sha1"
expect_eq "$(jsonpath gitrepository/app '{.status.verifiedBy}')" "commit ${sha1:0:12} by SSH $fingerprint" "verifiedBy"
expect_eq "$(jsonpath configmap/settings '{.data.value}')" 1 "signed value applied"
wait_for 20 "Event naming the key" bash -c \
  "kubectl get events -n '$ns' --field-selector involvedObject.name=app -o jsonpath='{.items[*].message}' | grep -qF 'verified: commit ${sha1:0:12} by SSH $fingerprint'"

# An unsigned commit: refused, nothing of it applied.
sed -i 's/"1"/"2"/' "$work/src/app/settings.yaml"
write app/extra.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {value: "x"}
YAML
sha2=$(commit "unsigned change")
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "VerificationFailed" has_reason app VerificationFailed
message=$(ready_message app)
grep -qF "commit ${sha2:0:12} is not signed" <<<"$message" || fail "message must name the unsigned commit: $message"
expect_eq "$(jsonpath configmap/settings '{.data.value}')" 1 "the previous revision's value stays"
absent configmap extra -n "$ns" || fail "nothing of the unsigned commit may be created"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAppliedRevision}')" "main@sha1:$sha1" "last applied stays"
expect_eq "$(jsonpath gitrepository/app '{.status.verifiedBy}')" "commit ${sha1:0:12} by SSH $fingerprint" "verifiedBy of the applied revision"

# Signed by a key that is not trusted: refused, naming that key's fingerprint.
sha3=$(signed_commit "$work/other" "signed by another key")
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "untrusted key refused" bash -c "kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].message}' | grep -qF '$other_fingerprint'"
has_reason app VerificationFailed || fail "reason: $(ready_reason app)"
grep -qF "${sha3:0:12}" <<<"$(ready_message app)" || fail "message must name the commit: $(ready_message app)"
absent configmap extra -n "$ns" || fail "nothing of the untrusted commit may be created"

# A signed commit on top recovers.
sha4=$(signed_commit "$work/trusted" "signed again")
wait_for 30 "signed fix applied" is_ready_at app "$sha4"
expect_eq "$(jsonpath configmap/settings '{.data.value}')" 2 "signed fix applied"
! grep -q "BEGIN SSH\|ssh-ed25519 AAAA" "$work/agent.log" || fail "key material must not be logged"
