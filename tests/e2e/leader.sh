#!/usr/bin/env bash
# Two replicas with --leader-elect: both are Ready (the standby too, or `helm install --wait` and
# rolling updates never finish); one leads, the other stands by and takes over after a kill -9,
# once its own clock has seen the Lease unchanged for the lease duration; a graceful stop
# releases the lease.
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
lease_duration=6
replicas=()
on_exit 'for p in "${replicas[@]}"; do kill -9 "$p" 2>/dev/null; done'
on_exit '[ $code -eq 0 ] || for f in "$work"/[ab].log; do log "last lines of $f:"; tail -n 20 "$f" >&2; done'
start_replica() {  # NAME: sets replica_pid and replica_http
  local port
  port=$(reserve_port "$work")
  replica_http=127.0.0.1:$port
  "$gitopsd_bin" run --kubeconfig "$work/agent.kubeconfig" --watch-namespace "$ns" --http-addr "$replica_http" \
    --cache-dir "$work/cache-$1" --log-format text --leader-elect --leader-election-namespace "$ns" \
    --leader-election-lease-duration ${lease_duration}s --leader-election-renew-deadline 4s \
    --leader-election-retry-period 1s >>"$work/$1.log" 2>&1 &
  replica_pid=$!
  replicas+=("$replica_pid")
}
holder() { jsonpath lease/gitopsd-leader '{.spec.holderIdentity}'; }
ready() { curl -sf "http://$1/readyz" >/dev/null; }
start_replica a
a=$replica_pid a_http=$replica_http
wait_for 20 "a leads" bash -c "[ -n \"\$(kubectl get lease gitopsd-leader -n '$ns' -o jsonpath='{.spec.holderIdentity}')\" ]"
start_replica b
b=$replica_pid b_http=$replica_http
gitrepository app "  path: app"
wait_for 60 "synced" is_ready_at app "$sha"
first=$(holder)
expect_eq "$first" "$(hostname)_$a" "the first replica leads"
wait_for 20 "the leader is Ready" ready "$a_http"
wait_for 20 "the standby is Ready" ready "$b_http"
curl -sf "http://$b_http/healthz" >/dev/null || fail "the standby must be healthy"
grep -q "leading" "$work/b.log" && fail "the second replica must stand by"

kill -9 "$a"
wait "$a" 2>/dev/null || true
start=$SECONDS
wait_for 40 "b takes over" bash -c "[ \"\$(kubectl get lease gitopsd-leader -n '$ns' -o jsonpath='{.spec.holderIdentity}')\" = '$(hostname)_$b' ]"
took=$((SECONDS - start))
log "failover after ${took}s"
# Taken over by b's own clock: not before the lease it last saw renewed has run out (less the
# retry period that may separate the last renewal from the kill).
[ "$took" -ge $((lease_duration - 2)) ] || fail "b took over after ${took}s, before the lease duration (${lease_duration}s)"
sed -i 's/"1"/"2"/' "$work/src/app/cm.yaml"
sha2=$(commit "v2")
wait_for 40 "b syncs" is_ready_at app "$sha2"
wait_for 20 "the new leader is Ready" ready "$b_http"

kill -TERM "$b"
wait "$b" || fail "graceful stop: exit code $?"
expect_eq "$(holder)" "" "lease released on SIGTERM"
grep -q "AddressSanitizer\|a long-lived task died" "$work/b.log" && fail "the replica reported a failure"
exit 0
