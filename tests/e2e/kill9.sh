#!/usr/bin/env bash
# kill -9 in the middle of an apply: the restarted agent converges from status and labels, with
# no orphans, no duplicates and nothing lost, and a later removal prunes what the dead one made.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
settings() {  # COUNT: that many ConfigMaps in app/many.yaml
  mkdir -p "$work/src/app"
  for i in $(seq 1 "$1"); do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%03d}\ndata: {i: "%d"}\n---\n' "$i" "$i"
  done >"$work/src/app/many.yaml"
}
settings 300
sha=$(commit "300 settings")
start_agent --requests-in-flight 2
gitrepository app "  path: app"
wait_for 60 "the apply to start" bash -c "[ \$(kubectl get configmaps -n '$ns' -l gitopsd.io/name=app -o name | wc -l) -ge 20 ]"
kill -9 "$agent_pid"
wait "$agent_pid" 2>/dev/null || true
agent_pid=""
count=$(kubectl get configmaps -n "$ns" -l gitopsd.io/name=app -o name | wc -l)
log "killed with $count of 300 applied"
[ "$count" -lt 300 ] || fail "the agent finished before it was killed; nothing was tested"

# Before restarting, the commit moves on: half the objects leave Git.
settings 150
sha2=$(commit "keep 150")
start_agent
wait_for 90 "converged" is_ready_at app "$sha2"
wait_for 30 "stale objects pruned" bash -c "[ \$(kubectl get configmaps -n '$ns' -l gitopsd.io/name=app -o name | wc -l) -eq 150 ]"
# The prune's deletions count as drift and bring one more run, which may start before the watch
# shows the status just written and so lists the old inventory beside the new one until it ends:
# the inventory settles at 150.
inventory_size() { jsonpath gitrepository/app '{.status.inventory.entries[*].id}' | wc -w; }
wait_for 60 "the inventory to list the 150 objects" bash -c "[ \$(kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.inventory.entries[*].id}' | wc -w) -eq 150 ]"
expect_eq "$(inventory_size)" 150 "inventory size"
