#!/usr/bin/env bash
# SIGTERM while a fetch hangs: a Git server accepts the connection and never answers, the
# GitRepository allows the fetch ten minutes. The agent cancels the reconcile after its shutdown
# grace, exits 0 within that grace plus the time cancelled work gets to unwind, and (built with
# AddressSanitizer, build-asan/gitopsd) reports no use of the Git cache or pool after their end
# and no leak.
source "$(dirname "$0")/lib.sh"
asan_bin=${GITOPSD_ASAN_BIN:-$repo_root/build-asan/gitopsd}
if [ -x "$asan_bin" ]; then
  gitopsd_bin=$asan_bin
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}
  log "using the AddressSanitizer build $asan_bin"
else
  log "no AddressSanitizer build at $asan_bin (cmake --preset asan; build the gitopsd target): plain build"
fi
install_rbac
kubectl create secret generic git-auth -n "$ns" --from-literal=username=u --from-literal=password=p >/dev/null

# The stalling server: accepts, records each connection, reads and never answers.
port=$(reserve_port "$work")
python3 - "$port" "$work/stall.log" >/dev/null 2>&1 <<'PY' &
import socket, sys, threading
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", int(sys.argv[1])))
server.listen(16)
held = []
while True:
    conn, _ = server.accept()
    held.append(conn)
    with open(sys.argv[2], "a") as f:
        f.write("accepted\n")
PY
stall_pid=$!
on_exit "kill $stall_pid 2>/dev/null"
wait_for 10 "the stalling server" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
sleep 0.5
probes=$(wc -l <"$work/stall.log")
git_url=http://127.0.0.1:$port/app.git

start_agent --shutdown-grace 3s
kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: stalled, namespace: $ns}
spec:
  url: $git_url
  secretRef: {name: git-auth}
  interval: 10m
  timeout: 10m
YAML
wait_for 30 "the fetch to reach the stalling server" bash -c "[ \$(wc -l <'$work/stall.log') -gt $probes ]"
sleep 1
kill -TERM "$agent_pid"
start=$SECONDS
code=0
# 3 s of grace, up to 10 s for cancelled work to unwind, and slack for a busy machine.
for _ in $(seq 1 150); do kill -0 "$agent_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$agent_pid" 2>/dev/null; then
  kill -9 "$agent_pid"
  agent_pid=""
  fail "the agent did not exit within 30 s of SIGTERM"
fi
wait "$agent_pid" || code=$?
agent_pid=""
log "exited $code after $((SECONDS - start))s"
grep -q "Sanitizer\|runtime error:" "$work/agent.log" && fail "sanitizer report at shutdown"
grep -q "exiting without cleanup" "$work/agent.log" && fail "the reconcile did not end when cancelled"
expect_eq "$code" 0 "exit code after SIGTERM"
grep -q "cancelling reconciles still running at shutdown" "$work/agent.log" ||
  fail "the fetch ended by itself: nothing was tested"
