#!/usr/bin/env bash
# spec.decryption: a Secret encrypted by the real sops tool (age and OpenPGP keys made here), and a
# secretGenerator fed by a sops-encrypted dotenv file, are applied decrypted. The planted value
# never shows in the agent's debug log, Events or status. A tampered file stops the commit with
# DecryptionFailed naming the file and the previous revision stays; without spec.decryption an
# encrypted file is refused instead of applied as ciphertext; a Secret of keys that cannot be read
# is named.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
planted="planted-$RANDOM-value-$RANDOM"

age-keygen -o "$work/identity.agekey" 2>/dev/null
recipient=$(age-keygen -y "$work/identity.agekey")
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "gitopsd e2e <e2e@example.com>" rsa2048 encrypt never 2>/dev/null
fpr=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --armor --export-secret-keys "$fpr" >"$work/team.asc"
kubectl create secret generic sops-keys -n "$ns" --from-file=identity.agekey="$work/identity.agekey" \
  --from-file=team.asc="$work/team.asc" >/dev/null

# encrypt FILE ARGS...: encrypts FILE of the work tree in place with sops.
encrypt() {
  local file=$1; shift
  sops --encrypt --in-place "$@" "$work/src/$file" || fail "sops --encrypt $file"
}

write app/db.yaml <<YAML
apiVersion: v1
kind: Secret
metadata: {name: db}
type: Opaque
stringData:
  password: $planted
  port: "5432"
YAML
encrypt app/db.yaml --age "$recipient" --encrypted-regex '^(data|stringData)$'
write app/pgp.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: pgp}
data:
  mode: pgp-$planted
YAML
encrypt app/pgp.yaml --pgp "$fpr"
printf 'TOKEN=%s\nREGION=eu\n' "$planted" >"$work/src/app/app.env"
encrypt app/app.env --age "$recipient"
write app/kustomization.yaml <<'YAML'
resources: [db.yaml, pgp.yaml]
secretGenerator:
- name: app
  envs: [app.env]
  options: {disableNameSuffixHash: true}
YAML
grep -qF "$planted" -r "$work/src/app" && fail "sops left the value in the clear"
sha1=$(commit "encrypted secrets")

start_agent --log-level debug
gitrepository app "  path: app
  decryption:
    provider: sops
    secretRef: {name: sops-keys}"
wait_for 90 "decrypted commit applied" is_ready_at app "$sha1"
expect_eq "$(jsonpath secret/db '{.data.password}' | base64 -d)" "$planted" "age-encrypted Secret applied decrypted"
expect_eq "$(jsonpath secret/db '{.data.port}' | base64 -d)" 5432 "second value"
expect_eq "$(jsonpath configmap/pgp '{.data.mode}')" "pgp-$planted" "OpenPGP-encrypted file applied decrypted"
expect_eq "$(jsonpath secret/app '{.data.TOKEN}' | base64 -d)" "$planted" "generator input decrypted"
expect_eq "$(jsonpath secret/app '{.data.REGION}' | base64 -d)" eu "generator input, second entry"
kubectl get secret db -n "$ns" -o json | jq -e '.metadata.annotations // {} | keys | map(select(startswith("sops"))) | length == 0' >/dev/null ||
  fail "no sops metadata may reach the object"

# A tampered file: a value of another file pasted in. Refused with the file named.
other=$(grep -o 'password: ENC\[[^]]*\]' "$work/src/app/db.yaml")
cp "$work/src/app/db.yaml" "$work/db.good"
sed -i "s|port: ENC\[[^]]*\]|port: ${other#password: }|" "$work/src/app/db.yaml"
write app/extra.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {value: x}
YAML
sed -i 's/resources: \[db.yaml, pgp.yaml\]/resources: [db.yaml, pgp.yaml, extra.yaml]/' "$work/src/app/kustomization.yaml"
sha2=$(commit "tampered")
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "DecryptionFailed" has_reason app DecryptionFailed
message=$(ready_message app)
grep -qF "app/db.yaml" <<<"$message" || fail "the message must name the file: $message"
grep -qF "${sha2:0:12}" <<<"$message" || grep -qF "$sha2" <<<"$message" || fail "the message must name the commit: $message"
absent configmap extra -n "$ns" || fail "nothing of the tampered commit may be applied"
expect_eq "$(jsonpath gitrepository/app '{.status.lastAppliedRevision}')" "main@sha1:$sha1" "last applied stays"

# A key Secret without keys: named. (The keys go before the fix is pushed: with the good keys a
# retry would apply the fix at once.)
kubectl create secret generic empty-keys -n "$ns" --from-literal=readme=none >/dev/null
gitrepository app "  path: app
  decryption:
    provider: sops
    secretRef: {name: empty-keys}"
wait_for 30 "key Secret refused" bash -c "kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].message}' | grep -qF 'Secret empty-keys holds no entry ending in .agekey'"
has_reason app DecryptionFailed || fail "reason: $(ready_reason app)"
cp "$work/db.good" "$work/src/app/db.yaml"
sha3=$(commit "fixed")

# Without spec.decryption: the encrypted file is refused, never applied as ciphertext.
gitrepository app "  path: app"
wait_for 30 "encrypted file refused" bash -c "kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].message}' | grep -qF 'encrypted with SOPS and no decryption keys are given'"
absent configmap extra -n "$ns" || fail "nothing may be applied without the keys"

# Back with the keys: the fixed commit applies.
gitrepository app "  path: app
  decryption:
    provider: sops
    secretRef: {name: sops-keys}"
wait_for 60 "fixed commit applied" is_ready_at app "$sha3"
exists configmap extra -n "$ns" || fail "the fixed commit's new object"

# A decrypted value the API server refuses (a label value may not hold '!'): its message, which
# quotes the value, is not shown for an object built from decrypted files.
write app/labelled.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: labelled
  labels: {team: "x-$planted-!"}
data: {a: b}
YAML
encrypt app/labelled.yaml --age "$recipient" --encrypted-regex '^labels$'
sed -i 's/resources: \[db.yaml, pgp.yaml, extra.yaml\]/resources: [db.yaml, pgp.yaml, extra.yaml, labelled.yaml]/' "$work/src/app/kustomization.yaml"
sha4=$(commit "an invalid decrypted label")
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt="$(date +%s%N)" --overwrite >/dev/null
wait_for 30 "the refused apply" bash -c "kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].message}' | grep -qF 'ConfigMap/$ns/labelled'"
grep -qF "not shown, as it may quote secret values" <<<"$(ready_message app)" || fail "the server's message must be left out: $(ready_message app)"

# The planted value appears nowhere but in the objects it belongs to.
! grep -qF "$planted" "$work/agent.log" || fail "the decrypted value is in the agent's log"
! kubectl get events -n "$ns" -o json | grep -qF "$planted" || fail "the decrypted value is in an Event"
! kubectl get gitrepository app -n "$ns" -o json | grep -qF "$planted" || fail "the decrypted value is in the status"
! curl -sf "http://$agent_http/metrics" | grep -qF "$planted" || fail "the decrypted value is in the metrics"
! grep -q "AGE-SECRET-KEY\|PRIVATE KEY BLOCK" "$work/agent.log" || fail "key material must not be logged"
