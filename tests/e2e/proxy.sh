#!/usr/bin/env bash
# Behind `kubectl proxy` (plain HTTP/1.1, one request per connection at a time) the agent keeps its
# GitRepository watch open on a connection of its own and still syncs 200 objects promptly.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
for i in $(seq 1 200); do
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-%03d}\ndata: {value: "%d"}\n---\n' "$i" "$i"
done | write app/many.yaml
sha=$(commit "200 ConfigMaps")
port=$(reserve_port "$work")
kubectl --kubeconfig "$work/agent.kubeconfig" proxy --port "$port" --address 127.0.0.1 >"$work/proxy.log" 2>&1 &
proxy_pid=$!
on_exit "kill $proxy_pid"
wait_for 20 "kubectl proxy" curl -sf "http://127.0.0.1:$port/version"
cat >"$work/proxy.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: proxy, cluster: {server: "http://127.0.0.1:$port"}}]
users: [{name: none, user: {}}]
contexts: [{name: proxy, context: {cluster: proxy, user: none, namespace: "$ns"}}]
current-context: proxy
KC
cp "$work/proxy.kubeconfig" "$work/agent.kubeconfig"
start_agent
gitrepository app "  path: app"
# Each request queued behind the open watch would wait for a 30 s timeout: minutes, not seconds.
start=$SECONDS
wait_for 120 "200 objects synced through the proxy" is_ready_at app "$sha"
log "synced 200 objects through kubectl proxy in $((SECONDS - start))s"
expect_eq "$(kubectl get configmaps -n "$ns" -l gitopsd.io/name=app -o name | wc -l)" 200 "objects applied"
# The watch is still open: a change to the GitRepository is seen at once.
kubectl annotate gitrepository app -n "$ns" gitopsd.io/requestedAt=after-sync --overwrite >/dev/null
wait_for 30 "requested reconcile handled" bash -c \
  "[ \"\$(kubectl get gitrepository app -n '$ns' -o jsonpath='{.status.lastHandledReconcileAt}')\" = after-sync ]"

# Deleting through the proxy prunes the 200 objects (the proxy stops only after the scenario).
kubectl delete gitrepository app -n "$ns" --wait=false >/dev/null
wait_for 120 "GitRepository and its objects gone" absent gitrepository app -n "$ns"
expect_eq "$(kubectl get configmaps -n "$ns" -l gitopsd.io/name=app -o name | wc -l)" 0 "objects pruned"
