#!/usr/bin/env bash
# Isolation between tenants: the GitRepository of one namespace is pushed one hostile commit after
# another (each crash, freeze and memory bomb known to hit renderers); each fails that GitRepository
# alone with a message naming the cause, while the other namespace's GitRepository keeps applying
# new commits and the agent stays healthy.
source "$(dirname "$0")/lib.sh"
ns_b=$ns-b
tenant=e2e-$RANDOM$RANDOM
install_rbac
kubectl create namespace "$ns_b" >/dev/null
on_exit "kubectl delete gitrepositories --all -n '$ns_b' --timeout=20s >/dev/null 2>&1"
on_exit "kubectl delete namespace '$ns_b' --wait=false >/dev/null 2>&1"
start_git
kubectl create secret generic git-auth -n "$ns_b" --from-literal=username="$USERNAME" \
  --from-literal=password="$PASSWORD" >/dev/null

# Tenant b's repository: its own bare repository on the same server, written with plumbing so that
# trees Git itself would not make can be pushed.
git init -q --bare -b main "$work/repos/b.git"
b_src=$work/b
git init -q -b main "$b_src"
git -C "$b_src" config user.email "mallory@example.com"
git -C "$b_src" config user.name "Mallory"
b_push="http://$USERNAME:$PASSWORD@${URL#http://}/b.git"

cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n' "$1"; }
repeat() {  # N TEXT: TEXT N times
  local n=$1 s=$2 out=""
  while [ "$n" -gt 0 ]; do
    if [ $((n & 1)) -eq 1 ]; then out+=$s; fi
    s+=$s
    n=$((n >> 1))
  done
  printf '%s' "$out"
}

# b_commit: commits b's work tree as it is (replacing everything) and pushes it.
b_commit() {
  git -C "$b_src" add -A
  git -C "$b_src" commit -q -m "$1" --allow-empty
  git -C "$b_src" push -q -f "$b_push" main 2>/dev/null || fail "push to b"
  git -C "$b_src" rev-parse HEAD
}
# b_push_commit SHA: makes SHA (built with plumbing) b's main.
b_push_commit() {
  git -C "$b_src" update-ref refs/heads/main "$1"
  git -C "$b_src" push -q -f "$b_push" main 2>/dev/null || fail "push to b"
  echo "$1"
}
b_reset() { git -C "$b_src" rm -rq --cached . >/dev/null 2>&1 || true; rm -rf "${b_src:?}"/*; mkdir -p "$b_src/app"; }

b_reset
cm ok | tee "$b_src/app/cm.yaml" >/dev/null
b_first=$(b_commit "a good start")
write a/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: a-cm}
data: {round: "0"}
YAML
a_sha=$(commit "a's app")

port=$(reserve_port "$work")
agent_http=127.0.0.1:$port
"$gitopsd_bin" run --kubeconfig "$work/agent.kubeconfig" --watch-label-selector "tenant=$tenant" \
  --http-addr "$agent_http" --cache-dir "$work/cache" --log-format text >>"$work/agent.log" 2>&1 &
agent_pid=$!
wait_until 20 "gitopsd ready" curl -sf "http://$agent_http/readyz" >/dev/null || fail "gitopsd did not become ready"

repo() {  # NAMESPACE NAME URL PATH
  kubectl apply -f - >/dev/null <<YAML || fail "apply GitRepository $1/$2"
apiVersion: gitopsd.io/v1alpha1
kind: GitRepository
metadata: {name: $2, namespace: $1, labels: {tenant: $tenant}}
spec:
  url: $3
  secretRef: {name: git-auth}
  path: $4
  interval: 5s
  retryInterval: 2s
  timeout: 60s
  prune: true
YAML
}
in_ns() {  # NAMESPACE NAME JSONPATH
  jsonpath "gitrepository/$2" "$3" "$1"
}
attempted_in() {  # NAMESPACE NAME SHA: the reconcile of SHA has finished
  [ "$(in_ns "$1" "$2" '{.status.lastAttemptedRevision}')" = "main@sha1:$3" ] &&
    [ -n "$(in_ns "$1" "$2" '{.status.conditions[?(@.type=="Ready")].reason}')" ] &&
    [ "$(in_ns "$1" "$2" '{.status.conditions[?(@.type=="Ready")].reason}')" != Progressing ]
}
repo "$ns" a "$git_url" a
repo "$ns_b" b "$URL/b.git" app
wait_for 60 "a first sync" is_ready_at a "$a_sha"
wait_for 60 "b first sync" attempted_in "$ns_b" b "$b_first"

# b_fails_with TEXT: b is not Ready and its message holds TEXT (each round's text is its own).
b_fails_with() {
  [ "$(in_ns "$ns_b" b '{.status.conditions[?(@.type=="Ready")].status}')" = False ] &&
    grep -qF -- "$1" <<<"$(in_ns "$ns_b" b '{.status.conditions[?(@.type=="Ready")].message}')"
}

round=0
# hostile NAME EXPECTED-TEXT SHA: b's commit SHA (pushed) fails b alone, naming the cause; a meanwhile
# applies a new commit; the agent stays alive and healthy.
hostile() {
  local name=$1 want=$2 started
  round=$((round + 1))
  started=$(date +%s)
  sed -i "s/round: .*/round: \"$round\"}/" "$work/src/a/cm.yaml"
  a_sha=$(commit "a, round $round")
  wait_for 120 "[$name] b fails naming \"$want\"" b_fails_with "$want"
  wait_for 60 "[$name] a applies round $round" is_ready_at a "$a_sha"
  expect_eq "$(jsonpath configmap/a-cm '{.data.round}')" "$round" "[$name] a's value"
  kill -0 "$agent_pid" 2>/dev/null || fail "[$name] the agent died"
  curl -sf "http://$agent_http/healthz" >/dev/null || fail "[$name] /healthz failed"
  log "[$name] b failed alone, a applied round $round ($(($(date +%s) - started)) s)"
}

# A tree entry whose name holds "/".
blob=$(cm x | git -C "$b_src" hash-object -w --stdin)
inner=$( (printf '100644 a/b.yaml\0'; printf '%s' "$blob" | sed 's/../\\x&/g' | xargs -0 printf) |
  git -C "$b_src" hash-object -t tree -w --literally --stdin)
top=$( (printf '40000 app\0'; printf '%s' "$inner" | sed 's/../\\x&/g' | xargs -0 printf) |
  git -C "$b_src" hash-object -t tree -w --stdin)
hostile slash_entry 'not a valid file name' "$(b_push_commit "$(git -C "$b_src" commit-tree "$top" -m slash)")"

# JSON nested 150,000 deep.
b_reset
# (JSON text in a .yaml file: folders list .yaml and .yml files, as Flux does.)
{ printf '{"a":'; repeat 150000 '['; repeat 150000 ']'; printf '}'; } >"$b_src/app/deep.yaml"
hostile deep_json "nesting deeper than 256" "$(b_commit "deep json")"

# A billion laughs.
b_reset
{
  echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
  prev=a
  for next in b c d e f g h i; do
    echo "$next: &$next [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
    prev=$next
  done
} >"$b_src/app/lol.yaml"
hostile billion_laughs "(limit max-yaml-values)" "$(b_commit "laughs")"

# Backtracking bombs in patch targets and image names (RE2 runs them in linear time) next to an
# invalid object, so the build itself must finish for the error to appear.
b_reset
cm "$(repeat 30 a)" >"$b_src/app/cm.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: x-}\n' >"$b_src/app/bad.yaml"
printf 'resources:\n- cm.yaml\n- bad.yaml\npatches:\n- target:\n    name: (a*)*b\n  patch: |\n    - op: add\n      path: /data\n      value: {hit: "yes"}\nimages:\n- name: (a*)*b\n  newTag: "2"\n' \
  >"$b_src/app/kustomization.yaml"
hostile regex_nested "bad.yaml" "$(b_commit "regex bomb")"

# A JSON-patch copy bomb.
b_reset
cm a >"$b_src/app/cm.yaml"
{
  printf 'resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n'
  printf '    - op: add\n      path: /x\n      value: {a: ["%s"]}\n' "$(repeat 1000 v)"
  for ((i = 0; i < 40; i++)); do printf '    - op: copy\n      from: /x\n      path: /x/a/-\n'; done
} >"$b_src/app/kustomization.yaml"
hostile copy_bomb "(limit max-yaml-text-bytes)" "$(b_commit "copy bomb")"

# A kustomize diamond of 22 levels (4 million objects if built).
b_reset
levels=22
mkdir -p "$b_src/t/l$levels"
printf 'resources:\n- cm.yaml\n' >"$b_src/t/l$levels/kustomization.yaml"
cm c >"$b_src/t/l$levels/cm.yaml"
for ((i = levels - 1; i >= 0; i--)); do
  for side in a b; do
    mkdir -p "$b_src/t/l$i$side"
    printf 'resources:\n- ../l%d\nnamePrefix: %s-\n' $((i + 1)) "$side" >"$b_src/t/l$i$side/kustomization.yaml"
  done
  mkdir -p "$b_src/t/l$i"
  printf 'resources:\n- ../l%da\n- ../l%db\n' "$i" "$i" >"$b_src/t/l$i/kustomization.yaml"
done
printf 'resources:\n- ../t/l0\n' >"$b_src/app/kustomization.yaml"
hostile diamond "(limit max-kustomize-builds)" "$(b_commit "diamond")"

# A tree 5,000 folders deep.
path=""
for ((i = 0; i < 5000; i++)); do path+="d/"; done
deep=$({
  echo "commit refs/heads/deep"
  echo "committer Mallory <mallory@example.com> 0 +0000"
  echo "data 4"
  echo "deep"
  echo "M 100644 inline app/${path}cm.yaml"
  echo "data $(cm deep | wc -c)"
  cm deep
} | git -C "$b_src" fast-import --quiet && git -C "$b_src" rev-parse refs/heads/deep)
hostile deep_tree "folders nested deeper than 256" "$(b_push_commit "$deep")"

# b recovers with a good commit.
b_reset
cm fine >"$b_src/app/cm.yaml"
good=$(b_commit "recover")
wait_for 60 "b recovers" attempted_in "$ns_b" b "$good"
expect_eq "$(in_ns "$ns_b" b '{.status.conditions[?(@.type=="Ready")].status}')" True "b Ready after the fix"
exists configmap fine -n "$ns_b" || fail "b's good commit applied"
