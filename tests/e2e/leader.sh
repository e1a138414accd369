#!/usr/bin/env bash
# Two replicas with --leader-elect: one leads, the other stands by and takes over within the
# lease duration after a kill -9; a graceful stop releases the lease.
source "$(dirname "$0")/lib.sh"
install_rbac --set replicaCount=2
start_git
write app/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: leader}
data: {value: "1"}
YAML
sha=$(commit "v1")
replicas=()
on_exit 'for p in "${replicas[@]}"; do kill -9 "$p" 2>/dev/null; done' 
start_replica() {  # NAME: sets replica_pid
  local port
  port=$(reserve_port "$work")
  "$gitopsd_bin" run --kubeconfig "$work/agent.kubeconfig" --watch-namespace "$ns" --http-addr "127.0.0.1:$port" \
    --cache-dir "$work/cache-$1" --log-format text --leader-elect --leader-election-namespace "$ns" \
    >>"$work/$1.log" 2>&1 &
  replica_pid=$!
  replicas+=("$replica_pid")
}
holder() { jsonpath lease/gitopsd-leader '{.spec.holderIdentity}'; }
start_replica a
a=$replica_pid
wait_for 20 "a leads" bash -c "[ -n \"\$(kubectl get lease gitopsd-leader -n '$ns' -o jsonpath='{.spec.holderIdentity}')\" ]"
start_replica b
b=$replica_pid
gitrepository app "  path: app"
wait_for 60 "synced" is_ready_at app "$sha"
first=$(holder)
expect_eq "$first" "$(hostname)_$a" "the first replica leads"
grep -q "leading" "$work/b.log" && fail "the second replica must stand by"

kill -9 "$a"
start=$SECONDS
wait_for 40 "b takes over" bash -c "[ \"\$(kubectl get lease gitopsd-leader -n '$ns' -o jsonpath='{.spec.holderIdentity}')\" = '$(hostname)_$b' ]"
log "failover after $((SECONDS - start))s"
sed -i 's/"1"/"2"/' "$work/src/app/cm.yaml"
sha2=$(commit "v2")
wait_for 40 "b syncs" is_ready_at app "$sha2"

kill -TERM "$b"
wait "$b" || fail "graceful stop: exit code $?"
expect_eq "$(holder)" "" "lease released on SIGTERM"
