#!/usr/bin/env bash
# spec.serviceAccountName: every API call for that GitRepository impersonates the account, reads
# of the Secrets it names included, and what its RBAC forbids is reported clearly in status.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: tenant}
data: {value: "1"}
YAML
sha=$(commit "tenant config")
kubectl create serviceaccount tenant -n "$ns" >/dev/null
start_agent
gitrepository app "  path: app
  serviceAccountName: tenant"
# The Secret the GitRepository names is read with the account's rights too: without them, no fetch.
wait_for 30 "GitOperationFailed" failed_with app GitOperationFailed
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "message must name the account: $message"
grep -q "read as ServiceAccount $ns/tenant" <<<"$message" || fail "message must say whose rights were used: $message"
grep -q "Secret/$ns/git-auth" <<<"$message" || fail "message must name the Secret: $message"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAttemptedRevision}')" "" "nothing fetched"

# Allowed to read that Secret (and only that one), it fetches and is refused the write.
kubectl create role read-git-auth -n "$ns" --verb=get --resource=secrets --resource-name=git-auth >/dev/null
kubectl create rolebinding tenant-git-auth -n "$ns" --role=read-git-auth --serviceaccount="$ns:tenant" >/dev/null
wait_for 30 "ApplyFailed" failed_with app ApplyFailed
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "message must name the account: $message"
absent configmap tenant -n "$ns" || fail "nothing applied without rights"

# With a Role the same GitRepository syncs.
kubectl create role edit-configmaps -n "$ns" --verb=get,list,watch,create,update,patch,delete --resource=configmaps >/dev/null
kubectl create rolebinding tenant -n "$ns" --role=edit-configmaps --serviceaccount="$ns:tenant" >/dev/null
wait_for 40 "Ready as tenant" is_ready_at app "$sha"
expect_eq "$(kubectl get configmap tenant -n "$ns" -o jsonpath='{.metadata.managedFields[0].manager}')" gitopsd "field manager"

# The verification keys are read the same way: a Secret the account may not read is refused.
kubectl create secret generic release-keys -n "$ns" --from-literal=ci.pub="ssh-ed25519 AAAA" >/dev/null
gitrepository app "  path: app
  serviceAccountName: tenant
  verify: {mode: HEAD, secretRef: {name: release-keys}}"
wait_for 30 "VerificationFailed" failed_with app VerificationFailed
grep -q "spec.verify.secretRef (read as ServiceAccount $ns/tenant)" <<<"$message" || fail "message must say whose rights were used: $message"
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
grep -q "Secret/$ns/release-keys" <<<"$message" || fail "message must name the Secret: $message"
grep -q "system:serviceaccount:$ns:tenant" <<<"$message" || fail "message must name the account: $message"

# So are the decryption keys: a Secret the account may not read is refused, nothing decrypted.
kubectl create secret generic sops-keys -n "$ns" --from-literal=team.agekey="# no identity" >/dev/null
gitrepository app "  path: app
  serviceAccountName: tenant
  decryption: {provider: sops, secretRef: {name: sops-keys}}"
wait_for 30 "DecryptionFailed" failed_with app DecryptionFailed
grep -q "spec.decryption.secretRef (read as ServiceAccount $ns/tenant)" <<<"$message" || fail "message must say whose rights were used: $message"
grep -qi "forbidden" <<<"$message" || fail "message must say forbidden: $message"
grep -q "Secret/$ns/sops-keys" <<<"$message" || fail "message must name the Secret: $message"
