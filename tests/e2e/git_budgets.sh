#!/usr/bin/env bash
# The agent's Git budgets are flags: a commit past --max-git-tree-files fails its GitRepository,
# naming the flag; the same commit applies under the default budget.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
for i in 1 2 3; do
  write "app/cm$i.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: cm$i}
data: {n: "$i"}
YAML
done
sha=$(commit "three ConfigMaps")
start_agent --max-git-tree-files 2
gitrepository app "  path: app"
wait_for 60 "GitOperationFailed past the tree budget" failed_with app GitOperationFailed
grep -q "more than 2 files (limit max-git-tree-files)" <<<"$message" || fail "message: $message"
absent configmap/cm1 -n "$ns" || fail "nothing is applied from a commit past a budget"
stop_agent || fail "the agent did not stop cleanly"
start_agent
wait_for 60 "app ready under the default budget" is_ready_at app "$sha"
