#!/usr/bin/env bash
# The everyday commands against a running agent: get (-A, -w, -o json|yaml), reconcile --wait,
# suspend, resume, tree and trace, and their errors: an unknown name, a ServiceAccount without
# rights, an unreachable cluster.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write app/settings.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
YAML
write app/web.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
YAML
sha=$(commit "settings and web")
interval=1h start_agent
interval=1h gitrepository app "  path: app"
wait_for 60 "app ready at the first commit" is_ready_at app "$sha"
kubectl create configmap unmanaged -n "$ns" --from-literal=a=b >/dev/null

# cli ARGS...: the command as the cluster admin, in the scenario's namespace; stdout, stderr and
# exit code land in $work/out, $work/err and $code.
cli() {
  code=0
  "$gitopsd_bin" "$@" --kubeconfig "$KUBECONFIG" -n "$ns" >"$work/out" 2>"$work/err" || code=$?
}
out() { cat "$work/out"; }
expect_code() { [ "$code" = "$1" ] || fail "$2: exit code $code, expected $1; stdout: $(out); stderr: $(cat "$work/err")"; }
# expect_one_line_error TEXT WHAT: stderr is exactly one line, "error: ...TEXT...".
expect_one_line_error() {
  [ "$(wc -l <"$work/err")" = 1 ] || fail "$2: expected one line on stderr, got: $(cat "$work/err")"
  grep -q "^error: .*$1" "$work/err" || fail "$2: expected '$1' in: $(cat "$work/err")"
}

# get: the table, one object, all namespaces, JSON and YAML.
cli get
expect_code 0 "get"
out | head -1 | grep -q "^NAME .*URL .*REVISION .*AUTHOR .*SUBJECT .*SUSPENDED .*READY .*MESSAGE .*AGE$" || fail "get header: $(out)"
out | grep -q "^app .*main@sha1:${sha:0:12} .*settings and web .*False .*True " || fail "get row: $(out)"
grep -q $'\e' "$work/out" && fail "color in output that is not a terminal"
cli get -A
out | grep -q "^$ns .*app " || fail "get -A has the namespace column: $(out)"
# On a terminal (script(1)) the READY cell is colored, and only it.
for all in "" -A; do
  script -qec "$(printf '%q ' "$gitopsd_bin" get app $all --kubeconfig "$KUBECONFIG" -n "$ns")" /dev/null >"$work/tty"
  grep -qF $'False       \e[32mTrue\e[0m' "$work/tty" || fail "get $all on a terminal colors READY: $(cat -v "$work/tty")"
  [ "$(grep -o $'\e\\[3' "$work/tty" | wc -l)" = 1 ] || fail "get $all on a terminal colors one cell: $(cat -v "$work/tty")"
done
cli get app -o json
expect_eq "$(jq -r .ready "$work/out")" True "get -o json ready"
expect_eq "$(jq -r .revision "$work/out")" "main@sha1:$sha" "get -o json full revision"
expect_eq "$(jq -r .subject "$work/out")" "settings and web" "get -o json commit subject"
expect_eq "$(jq -r .author "$work/out")" "$(git -C "$work/src" log -1 --format='%an <%ae>' "$sha")" "get -o json commit author"
cli get app -o yaml
out | grep -q "^revision: .*main@sha1:$sha" || fail "get -o yaml: $(out)"

# get errors: unknown name, and nothing in an empty namespace (not an error).
cli get missing
expect_code 2 "get of an unknown name"
expect_one_line_error "GitRepository $ns/missing not found" "get missing"
code=0; "$gitopsd_bin" get --kubeconfig "$KUBECONFIG" -n default >"$work/out" 2>"$work/err" || code=$?
expect_code 0 "get in a namespace without GitRepository objects"
grep -q "No GitRepository objects found in namespace default" "$work/err" || fail "empty get: $(cat "$work/err")"

# get -w prints a row when the object changes; suspend changes it.
"$gitopsd_bin" get app -w --kubeconfig "$KUBECONFIG" -n "$ns" >"$work/watch" 2>&1 &
watch_pid=$!
on_exit "kill $watch_pid 2>/dev/null"
wait_for 10 "get -w printed the first row" grep -q "^app " "$work/watch"
# A write that changes nothing shown prints no row, though AGE moved on meanwhile.
sleep 2
kubectl annotate gitrepository app -n "$ns" e2e.example/touched=yes >/dev/null
sleep 2
[ "$(grep -c "^app " "$work/watch")" = 1 ] || fail "get -w printed an unchanged row again: $(cat "$work/watch")"

# suspend: spec.suspend=true, shown by get -w.
cli suspend app
expect_code 0 "suspend"
out | grep -q "suspended GitRepository $ns/app" || fail "suspend output: $(out)"
expect_eq "$(jsonpath gitrepository/app '{.spec.suspend}')" true "spec.suspend after suspend"
wait_for 10 "get -w printed the suspended row" grep -q "^app .* True .*True " "$work/watch"
kill "$watch_pid" 2>/dev/null || true

# reconcile of a suspended object is refused; suspend of an unknown one fails.
cli reconcile app --wait
expect_code 2 "reconcile of a suspended object"
expect_one_line_error "is suspended: resume it" "reconcile suspended"
cli suspend missing
expect_code 2 "suspend of an unknown name"
expect_one_line_error "GitRepository $ns/missing not found" "suspend missing"

# resume requests a reconcile at once: a new commit is applied without waiting for the 1h interval.
write app/extra.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: extra}
data: {a: b}
YAML
sha2=$(commit "extra")
cli resume app --wait --timeout 60s
expect_code 0 "resume --wait"
expect_eq "$(jsonpath gitrepository/app '{.spec.suspend}')" false "spec.suspend after resume"
out | grep -q "^ready: " || fail "resume --wait ends with the result: $(out)"
is_ready_at app "$sha2" || fail "resume did not apply the new commit"
exists configmap extra -n "$ns" || fail "the new object was not applied"

# reconcile --wait: prints the steps from status, the annotation is handled, exit code follows Ready.
sha3=$(commit "nothing new")
cli reconcile app --wait --timeout 60s
expect_code 0 "reconcile --wait"
out | grep -q "^requested reconcile of GitRepository $ns/app at " || fail "reconcile first line: $(out)"
out | grep -q '^  fetching branch "main"' || fail "reconcile shows the fetch step: $(out)"
out | grep -q "^  applying 3 objects of main@sha1:$sha3" || fail "reconcile shows the apply step: $(out)"
out | grep -q "^ready: ReconciliationSucceeded" || fail "reconcile result: $(out)"
stamp=$(jsonpath gitrepository/app '{.metadata.annotations.gitopsd\.io/requestedAt}')
expect_eq "$(jsonpath gitrepository/app '{.status.lastHandledReconcileAt}')" "$stamp" "handled request"
# Without --wait it only asks.
cli reconcile app
expect_code 0 "reconcile without --wait"
[ "$(out | wc -l)" = 1 ] || fail "reconcile without --wait prints one line: $(out)"

# A failing reconcile exits 1 with the failure.
write app/bad.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: BadName}
data: {a: b}
YAML
commit "an invalid name" >/dev/null
cli reconcile app --wait --timeout 60s
expect_code 1 "reconcile --wait of a failing commit"
out | grep -q "^not ready: " || fail "failed reconcile result: $(out)"
git -C "$work/src" rm -q app/bad.yaml
sha4=$(commit "back inside")
cli reconcile app --wait --timeout 60s
expect_code 0 "reconcile --wait after the fix"
cli reconcile missing --wait
expect_code 2 "reconcile of an unknown name"
expect_one_line_error "GitRepository $ns/missing not found" "reconcile missing"
cli resume missing
expect_code 2 "resume of an unknown name"
expect_one_line_error "GitRepository $ns/missing not found" "resume missing"

# reconcile --wait --timeout: with no agent to handle the request, it gives up when told, exit 1.
stop_agent || fail "the agent did not stop cleanly"
cli reconcile app --wait --timeout 2s
expect_code 1 "reconcile --wait past its --timeout"
expect_one_line_error "GitRepository $ns/app did not handle the request within 2s" "reconcile --timeout"
interval=1h start_agent
cli reconcile app --wait --timeout 60s
expect_code 0 "reconcile --wait with the agent back"

# --context picks a context other than the current one.
kubectl config view --raw --flatten >"$work/two.kubeconfig"
live_context=$(kubectl config current-context)
dead=$(reserve_port "$work")
KUBECONFIG=$work/two.kubeconfig kubectl config set-cluster dead --server "https://127.0.0.1:$dead" >/dev/null
KUBECONFIG=$work/two.kubeconfig kubectl config set-context dead --cluster dead --user "$(kubectl config view --minify -o jsonpath='{.users[0].name}')" >/dev/null
KUBECONFIG=$work/two.kubeconfig kubectl config use-context dead >/dev/null
code=0; "$gitopsd_bin" get app --kubeconfig "$work/two.kubeconfig" -n "$ns" >"$work/out" 2>"$work/err" || code=$?
expect_code 2 "get through the current context, which is unreachable"
code=0; "$gitopsd_bin" get app --kubeconfig "$work/two.kubeconfig" --context "$live_context" -n "$ns" >"$work/out" 2>"$work/err" || code=$?
expect_code 0 "get --context of the live cluster"
out | grep -q "^app " || fail "get --context row: $(out)"

# tree: namespace > kind > object with health.
cli tree app
expect_code 0 "tree"
out | head -1 | grep -q "^GitRepository/$ns/app at main@sha1:$sha4 (Ready=True)$" || fail "tree root: $(out)"
out | grep -q "^└── $ns$" || fail "tree namespace: $(out)"
out | grep -q "^    ├── ConfigMap$" || fail "tree kind: $(out)"
out | grep -q "^    │   ├── extra  Current$" || fail "tree object: $(out)"
out | grep -q "^        └── web  Current$" || fail "tree service: $(out)"
# Suspended, so the agent does not put back the object deleted here.
cli suspend app
kubectl delete configmap extra -n "$ns" --wait=true >/dev/null
cli tree app -o json
expect_eq "$(jq -r '.namespaces[0].kinds[0].objects[] | select(.name=="extra") | .health' "$work/out")" NotFound \
  "tree shows a deleted object as NotFound"
cli resume app --wait --timeout 60s
expect_code 0 "resume --wait puts the deleted object back"
exists configmap extra -n "$ns" || fail "resume did not put the deleted object back"
cli tree missing
expect_code 2 "tree of an unknown name"
expect_one_line_error "GitRepository $ns/missing not found" "tree missing"

# trace: the owner, its revision and whether the object is in sync.
cli trace configmap/settings
expect_code 0 "trace of a managed object"
out | grep -q "^Managed by: *GitRepository $ns/app$" || fail "trace owner: $(out)"
out | grep -q "^Revision: *main@sha1:$sha4$" || fail "trace revision: $(out)"
out | grep -q "^Commit: *back inside (.*<.*>)$" || fail "trace commit: $(out)"
out | grep -q "^File: *app/settings.yaml#1$" || fail "trace file: $(out)"
out | grep -q "^In sync: *yes" || fail "trace in sync: $(out)"
cli trace Service/web -o json
expect_eq "$(jq -r .inSync "$work/out")" true "trace -o json"
expect_eq "$(jq -r .file "$work/out")" "app/web.yaml#1" "trace -o json file"
cli trace configmap/unmanaged
expect_code 1 "trace of an object gitopsd does not manage"
out | grep -q "^Managed by: *not managed by gitopsd" || fail "trace unmanaged: $(out)"
cli trace configmap/missing
expect_code 2 "trace of an unknown object"
expect_one_line_error "ConfigMap/$ns/missing not found" "trace missing"
cli trace widget/x
expect_code 2 "trace of an unknown kind"
expect_one_line_error "unknown kind widget" "trace unknown kind"

# No permission: a ServiceAccount without any role.
kubectl create serviceaccount nobody -n "$ns" >/dev/null
token=$(kubectl create token nobody -n "$ns" --duration=1h)
server=$(kubectl config view --minify -o jsonpath='{.clusters[0].cluster.server}')
ca=$(kubectl config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
cat >"$work/nobody.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: "$server", certificate-authority-data: "$ca"}}]
users: [{name: nobody, user: {token: "$token"}}]
contexts: [{name: e2e, context: {cluster: e2e, user: nobody, namespace: "$ns"}}]
current-context: e2e
KC
# The unreachable cluster: the same credentials at a port nobody listens on.
dead_port=$(reserve_port "$work")
sed "s#$server#https://127.0.0.1:$dead_port#" "$work/nobody.kubeconfig" >"$work/dead.kubeconfig"
for args in "get" "get app" "reconcile app" "suspend app" "resume app" "tree app" "trace configmap/settings"; do
  # shellcheck disable=SC2086
  code=0; "$gitopsd_bin" $args --kubeconfig "$work/nobody.kubeconfig" >"$work/out" 2>"$work/err" || code=$?
  expect_code 2 "$args without rights"
  expect_one_line_error "no permission" "$args without rights"
  # shellcheck disable=SC2086
  code=0; timeout 60 "$gitopsd_bin" $args --kubeconfig "$work/dead.kubeconfig" >"$work/out" 2>"$work/err" || code=$?
  expect_code 2 "$args with the cluster unreachable"
  expect_one_line_error "cannot reach the cluster at https://127.0.0.1:$dead_port" "$args unreachable"
done
expect_eq "$(jsonpath gitrepository/app '{.spec.suspend}')" false "a refused suspend changed nothing"

# Bad arguments: exit 2 and one "error:" line, as every other error; --help still succeeds.
cli diff -o foo "$work/src/app"
expect_code 2 "diff -o foo"
expect_one_line_error "--output: foo not in" "diff -o foo"
cli reconcile
expect_code 2 "reconcile without NAME"
expect_one_line_error "NAME is required" "reconcile without NAME"
for command in diff build; do
  code=0; "$gitopsd_bin" $command --commit "$sha" --path app >"$work/out" 2>"$work/err" || code=$?
  expect_code 2 "$command --commit without --url"
  expect_one_line_error "--commit requires --url" "$command --commit without --url"
done
code=0; "$gitopsd_bin" build >"$work/out" 2>"$work/err" || code=$?
expect_code 2 "build without DIR or --url"
expect_one_line_error "give a DIR or --url" "build without DIR or --url"
cli get --bogus
expect_code 2 "get with an unknown flag"
expect_one_line_error "not expected: --bogus" "get with an unknown flag"
cli get --help
expect_code 0 "get --help"
out | grep -q "^Usage:\|^List GitRepository" || fail "get --help prints the usage: $(out)"

