#!/usr/bin/env bash
# `make demo`: a local control plane, a Git repository made from examples/ served over HTTP with
# basic auth, the CRD and the chart's RBAC, gitopsd running as the chart's ServiceAccount, and the
# example GitRepository synced. `make demo-down` stops it all.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/tests/cluster/lib.sh"
log_prefix=demo
state=$root/build/demo

down() {
  stop_pid "$state/gitopsd.pid" 10 2>/dev/null || true
  "$root/tests/cluster/git/http.sh" stop "$state/git" >/dev/null 2>&1 || true
  rm -rf "$state"
}
if [ "${1:-}" = down ]; then
  down
  exit 0
fi

source "$root/build/cluster/env"
down
mkdir -p "$state/repos" "$state/src"

log "making a Git repository from examples/"
git init -q --bare -b main "$state/repos/guestbook.git"
cp -r "$root/examples" "$state/src/"
git -C "$state/src" init -q -b main
git -C "$state/src" config user.name "Demo User"
git -C "$state/src" config user.email "demo@example.com"
git -C "$state/src" add -A && git -C "$state/src" commit -q -m "Import the guestbook example"
eval "$("$root/tests/cluster/git/http.sh" start "$state/git" "$state/repos")"
git -C "$state/src" remote add origin "http://$USERNAME:$PASSWORD@${URL#http://}/guestbook.git"
git -C "$state/src" push -q origin main

log "installing the CRD and the chart's RBAC into gitopsd-system"
kubectl apply --server-side -f "$root/config/crd/gitopsd.io_gitrepositories.yaml" >/dev/null
kubectl wait --for=condition=Established crd/gitrepositories.gitopsd.io --timeout=60s >/dev/null
helm upgrade --install gitopsd "$root/charts/gitopsd" -n gitopsd-system --create-namespace --skip-crds \
  --set replicaCount=0 >/dev/null

log "starting gitopsd with a token of its ServiceAccount"
token=$(kubectl create token gitopsd -n gitopsd-system --duration=24h)
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
ca=$(kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
umask 077
cat >"$state/agent.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: demo, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: gitopsd, user: {token: "$token"}}]
contexts: [{name: demo, context: {cluster: demo, user: gitopsd, namespace: gitopsd-system}}]
current-context: demo
KC
umask 022
port=$(reserve_port "$state")
spawn "$state/gitopsd.pid" "$state/gitopsd.log" "$root/build/gitopsd" run --kubeconfig "$state/agent.kubeconfig" \
  --http-addr "127.0.0.1:$port" --cache-dir "$state/cache" --log-format text
wait_until 20 "gitopsd" curl -sf "http://127.0.0.1:$port/readyz" || { cat "$state/gitopsd.log" >&2; exit 1; }

log "applying examples/gitrepository.yaml with the local repository's URL"
kubectl create secret generic guestbook-git -n gitopsd-system --from-literal=username="$USERNAME" \
  --from-literal=password="$PASSWORD" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
sed -e "s|url: .*|url: $URL/guestbook.git|" -e "s|  interval: 1m|  interval: 10s\n  secretRef:\n    name: guestbook-git|" \
  "$root/examples/gitrepository.yaml" | kubectl apply -f - >/dev/null
if ! kubectl wait --for=condition=Ready gitrepository/guestbook -n gitopsd-system --timeout=180s >/dev/null; then
  kubectl describe gitrepository guestbook -n gitopsd-system >&2
  tail -n 30 "$state/gitopsd.log" >&2
  exit 1
fi

echo
echo "\$ kubectl get gitrepositories -A"
kubectl get gitrepositories -A
echo
echo "\$ kubectl get deployments,services,configmaps -n guestbook-demo -l gitopsd.io/name=guestbook"
kubectl get deployments,services,configmaps -n guestbook-demo -l gitopsd.io/name=guestbook
cat <<TEXT

gitopsd is syncing $URL/guestbook.git (path examples/guestbook/overlays/demo) every 10s.
Try it:
  source build/cluster/env
  cd build/demo/src
  sed -i 's/count: 2/count: 3/' examples/guestbook/overlays/demo/kustomization.yaml
  git commit -qam "Scale to three" && git push -q origin main
  kubectl get gitrepositories -A -w          # the revision moves on
  kubectl describe gitrepository guestbook -n gitopsd-system
  kubectl delete configmap frontend-config -n guestbook-demo   # drift: it comes back
Logs: build/demo/gitopsd.log. Stop everything: make demo-down
TEXT
