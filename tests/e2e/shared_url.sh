#!/usr/bin/env bash
# GitRepository objects on one URL share the cache (one fetch of a commit, not one each) and, in a
# steady state, the ref listing: fewer listings than GitRepositories per interval. A pushed commit
# still reaches every one of them.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
apps="one two three four five six"
n=6
for d in $apps; do
  write $d/cm.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: $d}
data: {value: "1"}
YAML
done
sha=$(commit "six apps")
start_agent
for d in $apps; do gitrepository $d "  path: $d"; done
for d in $apps; do wait_for 60 "$d Ready" is_ready_at $d "$sha"; done
fetches=$(metric gitopsd_git_fetches_total)
expect_eq "$fetches" 1 "fetches of the shared URL"

# Steady state: 2n interval reconciles (about two intervals each) make fewer than n listings.
listings=$(metric gitopsd_git_listings_total)
reused=$(metric gitopsd_git_listings_reused_total)
reconciles=$(metric gitopsd_reconcile_total)
wait_for 120 "$((2 * n)) more reconciles" metric_at_least gitopsd_reconcile_total "namespace=" $((reconciles + 2 * n))
made=$(($(metric gitopsd_git_listings_total) - listings))
shared=$(($(metric gitopsd_git_listings_reused_total) - reused))
done_reconciles=$(($(metric gitopsd_reconcile_total) - reconciles))
echo "steady state: $done_reconciles reconciles of $n GitRepositories on one URL made $made listings, reused $shared"
[ "$made" -lt "$n" ] || fail "expected fewer than $n listings for $done_reconciles reconciles, got $made"
[ "$shared" -ge 1 ] || fail "no reconcile reused a listing"

# A push is seen by every one of them at the interval, shared listings notwithstanding.
write one/cm.yaml <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: one}
data: {value: "2"}
YAML
sha2=$(commit "one changes")
for d in $apps; do wait_for 60 "$d Ready at the pushed commit" is_ready_at $d "$sha2"; done
expect_eq "$(jsonpath configmap/one '{.data.value}')" 2 "ConfigMap one after the push"
expect_eq "$(metric gitopsd_git_fetches_total)" 2 "fetches of the shared URL after the push"
