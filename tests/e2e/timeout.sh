#!/usr/bin/env bash
# spec.timeout bounds the whole reconcile: against a Git server that accepts connections and never
# answers, the GitRepository is Ready=False soon after its timeout with a message naming the server,
# exactly one Warning says so (not one per retry), and SIGTERM during a stalled fetch exits cleanly.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
port=$(reserve_port "$work")
echo 0 >"$work/accepted"
python3 - "$port" "$work/accepted" >"$work/stall.log" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
deadline = time.time() + 600
s.settimeout(1)
while time.time() < deadline:
    try:
        held.append(s.accept()[0])  # accepted, read from never, answered never
        with open(sys.argv[2], "w") as count:
            count.write(str(len(held)))
    except socket.timeout:
        pass
PY
stall_pid=$!
on_exit "kill $stall_pid"
wait_for 20 "stalling server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
accepted() { cat "$work/accepted"; }
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: never}
data: {value: "1"}
YAML
commit "never applied" >/dev/null
start_agent
kubectl apply -f - >/dev/null <<YAML
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: stalled, namespace: $ns}
spec:
  url: http://127.0.0.1:$port/app.git
  interval: 1m
  retryInterval: 1s
  timeout: 2s
  path: app
YAML
start=$SECONDS
wait_for 60 "Ready=False" has_reason stalled ProgressingWithRetry
elapsed=$((SECONDS - start))
message=$(ready_message stalled)
grep -q "Git server at 127.0.0.1 did not answer within 2s" <<<"$message" || fail "message: $message"
log "Ready=False after ${elapsed}s: $message"
# 2 s, with room for a busy machine: not minutes.
[ "$elapsed" -le 20 ] || fail "Ready=False only after ${elapsed}s"

# Retries (every second or so) report the same failure: one Warning, not one per retry.
after_reconciles 3 stalled
warnings=$(kubectl get events -n "$ns" --field-selector involvedObject.name=stalled,type=Warning -o name | wc -l)
expect_eq "$warnings" 1 "Warning events for one repeated failure"
absent configmap never -n "$ns" || fail "a reconcile past its deadline applied an object"
expect_eq "$(jsonpath gitrepository/stalled '{.status.lastAppliedRevision}')" "" "lastAppliedRevision after timeouts only"

# SIGTERM while a fetch is stalled: a clean exit within the grace period. A requested reconcile
# starts at once; the server counting one more connection shows its fetch is under way.
before=$(accepted)
kubectl annotate gitrepository stalled -n "$ns" gitopsd.io/requestedAt=stall-now --overwrite >/dev/null
wait_for 30 "a fetch under way" bash -c "[ \$(cat '$work/accepted') -gt $before ]"
pid=$agent_pid
agent_pid=""
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
expect_eq "$code" 0 "exit code after SIGTERM during a stalled fetch"
kubectl delete gitrepository stalled -n "$ns" >/dev/null 2>&1 || true
