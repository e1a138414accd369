#!/usr/bin/env bash
# `gitopsd build --url`: fetch over smart HTTP with credentials from a Secret file, render a
# kustomize overlay that reaches its base, print the revision; bad credentials and refs fail clearly.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${GITOPSD_BUILD_DIR:-$root/build}
source "$root/tests/cluster/lib.sh"
log_prefix=e2e
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-cli.XXXXXX")
trap '"$root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null 2>&1; rm -rf "$work"' EXIT
fail() { log "FAIL [cli_build]: $*"; exit 1; }

git init -q --bare -b main "$work/repos/app.git"
git -C "$work" init -q -b main src
cp -r "$root/examples" "$work/src/"
git -C "$work/src" add -A
git -C "$work/src" -c user.name=t -c user.email=t@example.com commit -q -m examples
sha=$(git -C "$work/src" rev-parse HEAD)
eval "$("$root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)"
git -C "$work/src" push -q "http://$USERNAME:$PASSWORD@${URL#http://}/app.git" main
printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: git}\nstringData: {username: "%s", password: "%s"}\n' \
  "$USERNAME" "$PASSWORD" >"$work/secret.yaml"

out=$("$build_dir/gitopsd" build --url "$URL/app.git" --branch main --path examples/guestbook/overlays/demo \
  --secret-file "$work/secret.yaml" -o json 2>"$work/err") || fail "build failed: $(cat "$work/err")"
grep -qx "revision: main@sha1:$sha" "$work/err" || fail "revision line: $(cat "$work/err")"
[ "$(jq -r '.kind' <<<"$out")" = List ] || fail "not a List"
[ "$(jq '.items | length' <<<"$out")" = 4 ] || fail "expected 4 objects: $out"
[ "$(jq -r '.items[] | select(.kind=="Deployment") | .spec.replicas' <<<"$out")" = 2 ] || fail "overlay not applied"
grep -q "$PASSWORD" <<<"$out$(cat "$work/err")" && fail "the password was printed"

# The same objects as rendering the folder locally.
local_out=$("$build_dir/gitopsd" build "$root/examples/guestbook/overlays/demo" -o json)
[ "$(jq -S . <<<"$out")" = "$(jq -S . <<<"$local_out")" ] || fail "remote and local renderings differ"

printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: git}\nstringData: {username: "%s", password: wrong}\n' \
  "$USERNAME" >"$work/wrong.yaml"
if "$build_dir/gitopsd" build --url "$URL/app.git" --secret-file "$work/wrong.yaml" >/dev/null 2>"$work/err"; then
  fail "a wrong password must fail"
fi
grep -qi "auth" "$work/err" || fail "wrong password message: $(cat "$work/err")"
grep -q wrong "$work/err" && fail "the wrong password was printed"
if "$build_dir/gitopsd" build --url "$URL/app.git" --secret-file "$work/secret.yaml" --tag v9 >/dev/null 2>"$work/err"; then
  fail "an unknown tag must fail"
fi
grep -q 'tag "v9" not found' "$work/err" || fail "unknown tag message: $(cat "$work/err")"

# `gitopsd run` refuses a bad limit before it starts, naming the flag.
for bad in "--kube-api-qps -1" "--kube-api-burst 0" "--requests-in-flight 0" "--max-render-objects 0" "--max-render-seconds 0" \
  "--max-git-listing-bytes 0" "--max-git-listing-refs 0" "--max-git-fetch-bytes 0" "--max-git-tree-bytes 0" "--max-git-tree-files 0"; do
  # shellcheck disable=SC2086
  if "$build_dir/gitopsd" run $bad --http-addr 127.0.0.1:0 >/dev/null 2>"$work/err"; then fail "run $bad must fail"; fi
  grep -q -- "${bad%% *}" "$work/err" || fail "run $bad message: $(cat "$work/err")"
done

# Render budgets are flags, and a build past one names it; the same flags for the remote build.
demo=$root/examples/guestbook/overlays/demo
if "$build_dir/gitopsd" build "$demo" --max-render-objects 3 >/dev/null 2>"$work/err"; then fail "4 objects past a budget of 3"; fi
grep -q "limit max-render-objects" "$work/err" || fail "budget message: $(cat "$work/err")"
"$build_dir/gitopsd" build "$demo" --max-render-objects 4 >/dev/null || fail "4 objects fit a budget of 4"
if "$build_dir/gitopsd" build --url "$URL/app.git" --secret-file "$work/secret.yaml" --path examples/guestbook/overlays/demo \
  --max-yaml-values 3 >/dev/null 2>"$work/err"; then fail "remote build past max-yaml-values"; fi
grep -q "limit max-yaml-values" "$work/err" || fail "remote budget message: $(cat "$work/err")"

# Git budgets are flags too; each overrun names its flag.
for budget in "max-git-listing-bytes 100" "max-git-listing-refs 1" "max-git-fetch-bytes 1000" "max-git-tree-files 3" \
  "max-git-tree-bytes 100"; do
  # shellcheck disable=SC2086
  if "$build_dir/gitopsd" build --url "$URL/app.git" --secret-file "$work/secret.yaml" --path examples/guestbook/overlays/demo \
    --${budget} >/dev/null 2>"$work/err"; then fail "remote build past --$budget"; fi
  grep -q "limit ${budget%% *}" "$work/err" || fail "--$budget message: $(cat "$work/err")"
done
"$build_dir/gitopsd" build --url "$URL/app.git" --secret-file "$work/secret.yaml" --path examples/guestbook/overlays/demo \
  --max-git-tree-files 100000 --max-git-fetch-bytes 100000000 >/dev/null || fail "remote build within raised Git budgets"
log "PASS [cli_build]"
