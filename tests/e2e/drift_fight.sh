#!/usr/bin/env bash
# Another writer fighting Git over a field: after five corrections within a minute the agent
# leaves the object alone for the rest of that minute, says so once (a DriftFight Warning and
# gitopsd_drift_fights_total), and once the fight is over the next periodic run puts Git's value
# back (the hourly full check is not waited for).
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/config.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: git}
YAML
sha=$(commit "settings")
start_agent
interval=20s gitrepository app "  path: app"
wait_for 60 "first sync" is_ready_at app "$sha"
wait_for 30 "drift watch synced" grep -q "drift watch synced" "$work/agent.log"

# The other writer: sets its value whenever it sees Git's.
fighter() {
  while :; do
    if [ "$(kubectl get configmap settings -n "$ns" -o jsonpath='{.data.mode}' 2>/dev/null)" = git ]; then
      kubectl patch configmap settings -n "$ns" --type merge -p '{"data":{"mode":"fight"}}' >/dev/null 2>&1 || true
    fi
    sleep 0.2
  done
}
fighter &
fighter_pid=$!
on_exit 'kill $fighter_pid 2>/dev/null'
wait_for 60 "the fight is noticed" metric_at_least gitopsd_drift_fights_total "name=\"app\"" 1
# The writer goes on a little: a reconcile already under way ends, and the writer has the last word.
sleep 5
kill "$fighter_pid"
wait "$fighter_pid" 2>/dev/null || true
fight_events() { kubectl get events -n "$ns" -o json | jq -r '.items[] | select(.reason == "DriftFight") | .message'; }
wait_for 10 "a DriftFight Warning" bash -c "$(declare -f fight_events); ns=$ns; fight_events | grep -q 'ConfigMap/$ns/settings was changed by another writer 5 times'"
expect_eq "$(fight_events | wc -l)" 1 "one DriftFight Event for one fight"
# The writer has stopped with its value in place; the next periodic run (20 s) restores Git's.
mode() { [ "$(jsonpath configmap/settings '{.data.mode}')" = "$1" ]; }
wait_for 90 "Git's value back after the fight" mode git
