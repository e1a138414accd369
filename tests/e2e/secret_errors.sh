#!/usr/bin/env bash
# A Secret the API server refuses (a number where stringData needs a string): the agent's status
# and Events, and `gitopsd diff`, name the object and the cause but never the value.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/pin.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: pin}
stringData:
  pin: 9081726354
YAML
sha=$(commit "a PIN as a number")
start_agent
gitrepository app "  path: app"
wait_for 60 "ApplyFailed for the Secret" failed_with app ApplyFailed
grep -q "Secret/$ns/pin" <<<"$message" || fail "the message names the Secret: $message"
grep -q "wrong type" <<<"$message" || fail "the message gives the cause: $message"
grep -q 9081726354 <<<"$message" && fail "the value is in status: $message"
kubectl get events -n "$ns" -o json | grep -q 9081726354 && fail "the value is in an Event"
grep -q 9081726354 "$work/agent.log" && fail "the value is in the agent's log"

code=0
"$gitopsd_bin" diff "$work/src/app" --kubeconfig "$KUBECONFIG" -n "$ns" >"$work/out" 2>"$work/err" || code=$?
[ "$code" = 2 ] || fail "diff of the refused Secret: exit $code, expected 2"
grep -q "Secret/$ns/pin" "$work/err" || fail "diff names the Secret: $(cat "$work/err")"
grep -q 9081726354 "$work/err" "$work/out" && fail "diff prints the value: $(cat "$work/err")"
true
