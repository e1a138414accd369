#!/usr/bin/env bash
# `gitopsd diff` as a CI job runs it before a merge: exit 0 when the cluster already matches the
# commit, 1 with a unified diff when it does not (a changed field, a Secret's changed value shown
# masked, a new object, an object the agent would prune), 2 with one line on stderr on an error
# (an invalid commit, an unreachable cluster, a token that may not dry-run apply). The smallest
# Role of docs/cli.md is enough.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/settings.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue, size: L}
YAML
write app/db.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {user: admin, password: first-secret-value}
YAML
write app/extra.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {a: b}
YAML
sha=$(commit "settings, db and extra")
interval=1h start_agent
interval=1h gitrepository app "  path: app"
wait_for 60 "app ready at the first commit" is_ready_at app "$sha"
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: git}\nstringData: {username: "%s", password: "%s"}\n' \
  "$(kubectl get secret git-auth -n "$ns" -o jsonpath='{.data.username}' | base64 -d)" \
  "$(kubectl get secret git-auth -n "$ns" -o jsonpath='{.data.password}' | base64 -d)" >"$work/git-secret.yaml"

# ci_diff ARGS...: one CI step. Output in $work/out and $work/err, the verdict in $result.
ci_diff() {
  local rc
  set +e
  "$gitopsd_bin" diff "$@" >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  case $rc in
    0) result=same ;;
    1) result=differs ;;
    *) result="error $rc" ;;
  esac
}
from_git=(--url "$git_url" --secret-file "$work/git-secret.yaml" --path app)
admin=(--kubeconfig "$KUBECONFIG" -n "$ns")
out() { cat "$work/out"; }
expect_result() { [ "$result" = "$1" ] || fail "$2: $result, expected $1; stdout: $(out); stderr: $(cat "$work/err")"; }
expect_one_line_error() {
  [ "$(wc -l <"$work/err")" = 1 ] || fail "$2: expected one line on stderr, got: $(cat "$work/err")"
  grep -q "^error: .*$1" "$work/err" || fail "$2: expected '$1' in: $(cat "$work/err")"
}

# In sync after the agent applied the commit: nothing to show, from Git and from the work tree,
# with the GitRepository's marks (--name) and with the marks read from the live objects.
ci_diff "${from_git[@]}" --name app "${admin[@]}"
expect_result same "diff of the applied commit"
[ ! -s "$work/out" ] || fail "no output expected when in sync: $(out)"
[ ! -s "$work/err" ] || fail "nothing on stderr expected when in sync: $(cat "$work/err")"
ci_diff "$work/src/app" "${admin[@]}"
expect_result same "diff of the work tree without --name"
# On a terminal (script(1) gives a pseudo-terminal): one progress line on stderr, redrawn in place
# and erased before the result; none with --no-color or $NO_COLOR (nor above, where stderr is a file).
on_tty() { script -qec "$(printf '%q ' "$gitopsd_bin" diff "$@")" /dev/null >"$work/tty" || fail "diff on a terminal: $(cat -v "$work/tty")"; }
on_tty "$work/src/app" "${admin[@]}"
grep -qF $'\r\e[2Krendering...\r\e[2K' "$work/tty" || fail "progress while rendering: $(cat -v "$work/tty")"
grep -qF $'\r\e[2Kdry run 0/3 objects' "$work/tty" || fail "dry-run progress: $(cat -v "$work/tty")"
[[ "$(cat "$work/tty")" == *$'dry run 0/3 objects\r\e[2K' ]] || fail "the progress line is erased at the end: $(cat -v "$work/tty")"
on_tty "$work/src/app" "${admin[@]}" --no-color
[ ! -s "$work/tty" ] || fail "progress with --no-color: $(cat -v "$work/tty")"
NO_COLOR=1 on_tty "$work/src/app" "${admin[@]}"
[ ! -s "$work/tty" ] || fail "progress with NO_COLOR: $(cat -v "$work/tty")"
# The repository root holds only app/: the same objects, their files named from another folder.
ci_diff "$work/src" --name app "${admin[@]}"
expect_result same "diff of the repository root (gitopsd.io/source names files from another folder)"
ci_diff "${from_git[@]}" --commit "$sha" --name app "${admin[@]}"
expect_result same "diff of the applied commit by SHA"

# A changed field, a changed Secret value, a new object and a removed file. The agent's interval
# is an hour: it does not apply the commit while the diff looks at it.
write app/settings.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: green, size: L}
YAML
write app/db.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {user: admin, password: second-secret-value}
YAML
write app/new.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: new}
data: {fresh: "yes"}
YAML
git -C "$work/src" rm -q app/extra.yaml
sha2=$(commit "green, a new password, new, no extra")
ci_diff "${from_git[@]}" --name app "${admin[@]}"
expect_result differs "diff of a changed commit"
out | grep -qx "ConfigMap/$ns/settings: would be changed" || fail "title of the changed object: $(out)"
out | grep -qx -- "--- live/v1/ConfigMap/$ns/settings" || fail "live header: $(out)"
out | grep -qx -- "+++ merged/v1/ConfigMap/$ns/settings" || fail "merged header: $(out)"
out | grep -qx -- "-  color: blue" || fail "the old value: $(out)"
out | grep -qx -- "+  color: green" || fail "the new value: $(out)"
out | grep -q "size: L" || fail "context lines: $(out)"
out | grep -qx "Secret/$ns/db: would be changed" || fail "the Secret's change: $(out)"
out | grep -qxF -- '-  password: "*** (before)"' || fail "the Secret's old value masked: $(out)"
out | grep -qxF -- '+  password: "*** (after)"' || fail "the Secret's new value masked: $(out)"
for secret in first-secret-value second-secret-value "$(printf first-secret-value | base64)" \
  "$(printf second-secret-value | base64)" "$(printf admin | base64)"; do
  grep -qF -- "$secret" "$work/out" "$work/err" && fail "a Secret value was printed: $secret"
done
out | grep -qx "ConfigMap/$ns/new: would be created" || fail "the new object: $(out)"
# The new object as the agent would apply it: with its owner's marks.
out | grep -qx -- "+    gitopsd.io/tracking-id: $ns/app:.*" || fail "the new object carries the tracking id: $(out)"
out | grep -qx -- "+    gitopsd.io/name: app" || fail "the new object carries the owner label: $(out)"
out | grep -qx "ConfigMap/$ns/extra: would be pruned" || fail "the removed file: $(out)"
out | grep -q -- "^-  a: b$" || fail "the pruned object's lines are removed: $(out)"
grep -q "managedFields\|resourceVersion\|creationTimestamp\|^.  uid:" "$work/out" && fail "server fields shown: $(out)"
grep -q $'\e' "$work/out" && fail "color in output that is not a terminal"
cp "$work/out" "$work/changed.out"
# -o json: every object with its action, the same exit code, no Secret value either.
ci_diff "${from_git[@]}" --name app "${admin[@]}" -o json
expect_result differs "diff -o json"
expect_eq "$(jq -r '.differences' "$work/out")" true "-o json differences"
expect_eq "$(jq -r '.objects[] | select(.name=="extra") | .action' "$work/out")" prune "-o json prune"
expect_eq "$(jq -r '.objects[] | select(.name=="new") | .action' "$work/out")" create "-o json create"
jq -r '.objects[] | select(.name=="settings") | .diff' "$work/out" | grep -qx -- "+  color: green" || fail "-o json diff: $(out)"
grep -qF -- second-secret-value "$work/out" && fail "-o json printed a Secret value"
# Without --name nothing knows the inventory: the removed file is not mentioned.
ci_diff "${from_git[@]}" "${admin[@]}"
expect_result differs "diff without --name"
out | grep -q "extra" && fail "without --name nothing is pruned: $(out)"
# The dry run wrote nothing.
expect_eq "$(jsonpath configmap/settings '{.data.color}')" blue "the dry run changed nothing"
absent configmap new -n "$ns" || fail "the dry run created an object"

# A folder that creates a Namespace and a CRD with objects in them: those objects cannot be
# dry-run before the Namespace and the CRD exist, so they are shown as rendered, not an error.
mkdir -p "$work/fresh"
cat >"$work/fresh/all.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: $ns-fresh}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: inside, namespace: $ns-fresh}
data: {a: b}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.$ns.example.com}
spec:
  group: $ns.example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
---
apiVersion: $ns.example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: 3}
YAML
ci_diff "$work/fresh" "${admin[@]}"
expect_result differs "diff of a new Namespace and CRD with objects in them"
out | grep -qx "Namespace/$ns-fresh: would be created" || fail "the new Namespace: $(out)"
out | grep -qx "ConfigMap/$ns-fresh/inside: would be created (shown as rendered: its Namespace is in this commit)" ||
  fail "an object in the new Namespace: $(out)"
out | grep -qx "Widget/$ns/w: would be created (shown as rendered: its CRD is in this commit)" ||
  fail "an object of the new CRD: $(out)"
absent namespace "$ns-fresh" || fail "the dry run created a Namespace"

# gitopsd.io/reconcile: disabled is judged as the agent does, from the dry run's merged object.
# A new object whose manifest carries it is never created: skipped, no difference.
mkdir -p "$work/quiet"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: quiet-new, annotations: {gitopsd.io/reconcile: disabled}}\ndata: {a: b}\n' \
  >"$work/quiet/new.yaml"
ci_diff "$work/quiet" "${admin[@]}"
expect_result same "a new object disabled in Git"
out | grep -qx "ConfigMap/$ns/quiet-new: would be skipped (gitopsd.io/reconcile: disabled)" ||
  fail "a new object disabled in Git is skipped: $(out)"
# The annotation set by the agent's field manager and removed in Git: the agent applies the object.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: quiet-git, namespace: %s, annotations: {gitopsd.io/reconcile: disabled}}\ndata: {a: b}\n' \
  "$ns" | kubectl apply --server-side --field-manager=gitopsd -f - >/dev/null
# Set by another manager (kubectl annotate): the merged object keeps it, the agent skips the object.
kubectl create configmap quiet-kept -n "$ns" --from-literal=a=b >/dev/null
kubectl annotate configmap quiet-kept -n "$ns" gitopsd.io/reconcile=disabled >/dev/null
rm "$work/quiet/new.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: quiet-git}\ndata: {a: c}\n' >"$work/quiet/git.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: quiet-kept}\ndata: {a: c}\n' >"$work/quiet/kept.yaml"
ci_diff "$work/quiet" "${admin[@]}"
expect_result differs "the annotation removed in Git"
out | grep -qx "ConfigMap/$ns/quiet-git: would be changed" || fail "the annotation removed in Git: $(out)"
out | grep -qx -- "-    gitopsd.io/reconcile: disabled" || fail "the removed annotation shown: $(out)"
out | grep -qx "ConfigMap/$ns/quiet-kept: would be skipped (gitopsd.io/reconcile: disabled)" ||
  fail "the annotation kept by another manager: $(out)"
kubectl delete configmap quiet-git quiet-kept -n "$ns" >/dev/null

# An object that exists without gitopsd's marks is refused, and with it the whole commit.
kubectl create configmap handmade -n "$ns" --from-literal=a=b >/dev/null
mkdir -p "$work/handmade"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: handmade}\ndata: {a: c}\n' >"$work/handmade/h.yaml"
cp "$work/src/app/settings.yaml" "$work/handmade/"
ci_diff "$work/handmade" --name app "${admin[@]}"
expect_result differs "a commit with an object the agent would refuse"
expect_eq "$(head -1 "$work/out")" "the agent would refuse this commit and apply nothing: 1 object would be refused" \
  "the first line of a refused commit"
out | grep -q "^ConfigMap/$ns/handmade: would be refused (exists without gitopsd's marks" || fail "the refused object: $(out)"
ci_diff "$work/handmade" --name app "${admin[@]}" -o json
expect_eq "$(jq -r .commitRefused "$work/out")" true "-o json commitRefused"
kubectl delete configmap handmade -n "$ns" >/dev/null

# Errors: an invalid or unknown commit, an unreachable cluster, an unknown GitRepository.
ci_diff "${from_git[@]}" --commit not-a-sha "${admin[@]}"
expect_result "error 2" "an invalid --commit"
expect_one_line_error "commit" "an invalid --commit"
ci_diff "${from_git[@]}" --commit 0123456789abcdef0123456789abcdef01234567 "${admin[@]}"
expect_result "error 2" "an unknown --commit"
expect_one_line_error "0123456789abcdef0123456789abcdef01234567" "an unknown --commit"
ci_diff "${from_git[@]}" --name missing "${admin[@]}"
expect_result "error 2" "an unknown --name"
expect_one_line_error "GitRepository $ns/missing not found" "an unknown --name"
# An object in a namespace that neither the cluster nor the folder has: the server's reason.
mkdir -p "$work/nowhere"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: %s-nowhere}\ndata: {a: b}\n' "$ns" \
  >"$work/nowhere/c.yaml"
ci_diff "$work/nowhere" "${admin[@]}"
expect_result "error 2" "an object in a missing namespace"
expect_one_line_error "ConfigMap/$ns-nowhere/c: apply .*not found.*namespaces \"$ns-nowhere\" not found" \
  "an object in a missing namespace"
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
dead_port=$(reserve_port "$work")
sed "s#$server#https://127.0.0.1:$dead_port#" "$work/agent.kubeconfig" >"$work/dead.kubeconfig"
set +e; timeout 60 "$gitopsd_bin" diff "${from_git[@]}" --kubeconfig "$work/dead.kubeconfig" >"$work/out" 2>"$work/err"; rc=$?; set -e
[ "$rc" = 2 ] || fail "an unreachable cluster: exit $rc"
expect_one_line_error "cannot reach the cluster at https://127.0.0.1:$dead_port" "an unreachable cluster"

# token_kubeconfig SA FILE: a kubeconfig that authenticates as the ServiceAccount SA.
token_kubeconfig() {
  local token ca
  token=$(kubectl create token "$1" -n "$ns" --duration=1h)
  ca=$(kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
  cat >"$2" <<KC
apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: $1, user: {token: "$token"}}]
contexts: [{name: e2e, context: {cluster: e2e, user: $1, namespace: "$ns"}}]
current-context: e2e
KC
}
# role_for SA VERBS: a Role on ConfigMaps and Secrets with VERBS (and get on GitRepository
# objects), bound to the ServiceAccount SA.
role_for() {
  kubectl create serviceaccount "$1" -n "$ns" >/dev/null
  kubectl apply -f - >/dev/null <<YAML
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: $1, namespace: $ns}
rules:
- apiGroups: [""]
  resources: [configmaps, secrets]
  verbs: [$2]
- apiGroups: [gitopsd.io]
  resources: [gitrepositories]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: $1, namespace: $ns}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: $1}
subjects: [{kind: ServiceAccount, name: $1, namespace: $ns}]
YAML
  token_kubeconfig "$1" "$work/$1.kubeconfig"
}

# A read-only token: the dry-run apply is refused, and the error names the object.
role_for reader "get, list, watch"
ci_diff "${from_git[@]}" --name app --kubeconfig "$work/reader.kubeconfig"
expect_result "error 2" "a token that may only read"
# The first object of the plan the token may not write is named, with the API server's message.
expect_one_line_error "no permission to read or change ConfigMap/$ns/new: apply ConfigMap/$ns/new (dry run): forbidden" \
  "a token that may only read"
grep -q 'cannot patch resource "configmaps"' "$work/err" || fail "the API server's message: $(cat "$work/err")"
# get and patch, without create: an object that is not there yet cannot be dry-run created.
role_for patcher "get, patch"
ci_diff "${from_git[@]}" --name app --kubeconfig "$work/patcher.kubeconfig"
expect_result "error 2" "a token without create"
expect_one_line_error "ConfigMap/$ns/new (dry run): forbidden.*cannot create resource \"configmaps\"" "a token without create"
# The smallest Role of docs/cli.md: get, patch and create on the kinds, get on GitRepository objects.
role_for ci "get, patch, create"
ci_diff "${from_git[@]}" --name app --kubeconfig "$work/ci.kubeconfig"
expect_result differs "the smallest Role"
diff "$work/changed.out" "$work/out" >&2 || fail "the smallest Role shows the same diff as the admin"

# spec.prune false: the removed file's object would be left. Suspended first, so the agent does not
# apply the new commit when the spec changes.
"$gitopsd_bin" suspend app "${admin[@]}" >/dev/null
kubectl patch gitrepository app -n "$ns" --type merge -p '{"spec":{"prune":false}}' >/dev/null
ci_diff "${from_git[@]}" --name app "${admin[@]}"
expect_result differs "diff with prune off"
out | grep -qx "ConfigMap/$ns/extra: no longer in Git, would be left in the cluster (spec.prune is false)" ||
  fail "an object prune would leave: $(out)"

# After the agent applied the new commit, no difference again.
kubectl patch gitrepository app -n "$ns" --type merge -p '{"spec":{"prune":true}}' >/dev/null
"$gitopsd_bin" resume app --wait --timeout 60s "${admin[@]}" >/dev/null || fail "resume --wait"
wait_for 60 "app ready at the second commit" is_ready_at app "$sha2"
ci_diff "${from_git[@]}" --name app "${admin[@]}"
expect_result same "diff after the agent applied the commit"
