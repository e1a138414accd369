#!/usr/bin/env bash
# Two GitRepository objects on one URL share the cache: one fetch of a commit, not two.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
for d in one two; do
  write $d/cm.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $d}
data: {value: "1"}
YAML
done
sha=$(commit "one and two")
start_agent
gitrepository one "  path: one"
gitrepository two "  path: two"
wait_for 60 "one Ready" is_ready_at one "$sha"
wait_for 60 "two Ready" is_ready_at two "$sha"
fetches=$(curl -s "http://$agent_http/metrics" | awk '$1 == "gitopsd_git_fetches_total" {print $2}')
expect_eq "$fetches" 1 "fetches of the shared URL"
