#!/usr/bin/env bash
# Hostile repository content, generated here (nothing large is stored): each case runs
# `gitopsd build` under a memory limit (ulimit -v) and a time limit, and must end with the expected
# clear error or result; a crash, a signal or a timeout fails it.
# Usage: tests/hostile/hostile.sh CASE   (CASE: one of the names in `cases` below, or "all")
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${GITOPSD_BUILD_DIR:-$root/build}/gitopsd
# 256 MiB of address space, the chart's memory limit: the binary's own mappings (about 40 MiB of
# libraries and stacks) count against it too.
mem_kib=${HOSTILE_MEM_KIB:-$((256 * 1024))}
seconds=${HOSTILE_SECONDS:-30}

work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL [$case]: $*" >&2; exit 1; }

cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n' "$1"; }

# run ARGS...: runs gitopsd build ARGS under the limits; sets rc, out, err.
run() {
  set +e
  ( ulimit -v "$mem_kib"; ulimit -c 0; exec timeout -s KILL "$seconds" "$bin" build "$@" ) \
    >"$work/out" 2>"$work/err"
  rc=$?
  set -e
  out=$(head -c 2000 "$work/out")
  err=$(head -c 2000 "$work/err")
  [ "$rc" -lt 128 ] || fail "killed by signal $((rc - 128)) (timeout or crash); stderr: $err"
}

expect_error() {  # expect_error TEXT: a clean failure whose message holds TEXT
  [ "$rc" -eq 1 ] || fail "exit code $rc, want 1; stderr: $err"
  grep -qF -- "$1" "$work/err" || fail "stderr lacks \"$1\": $err"
}

expect_ok() {  # expect_ok TEXT: success whose output holds TEXT
  [ "$rc" -eq 0 ] || fail "exit code $rc, want 0; stderr: $err"
  grep -qF -- "$1" "$work/out" || fail "output lacks \"$1\""
}

git_repo() {  # git_repo DIR: an empty repository with a committer
  git init -q -b main "$1"
  git -C "$1" config user.name hostile
  git -C "$1" config user.email hostile@example.com
}

repeat() {  # repeat N TEXT: TEXT N times
  local n=$1 s=$2 out=""
  while [ "$n" -gt 0 ]; do
    if [ $((n & 1)) -eq 1 ]; then out+=$s; fi
    s+=$s
    n=$((n >> 1))
  done
  printf '%s' "$out"
}

case_slash_entry() {
  local r=$work/repo
  git_repo "$r"
  local blob tree commit
  blob=$(cm x | git -C "$r" hash-object -w --stdin)
  tree=$( (printf '100644 a/b.yaml\0'; printf '%s' "$blob" | sed 's/../\\x&/g' | xargs -0 printf) |
    git -C "$r" hash-object -t tree -w --literally --stdin)
  commit=$(git -C "$r" commit-tree "$tree" -m hostile)
  git -C "$r" update-ref refs/heads/main "$commit"
  run --url "file://$r"
  expect_error 'an entry named "a/b.yaml", which is not a valid file name'
}

case_deep_tree() {
  local r=$work/repo path="" i
  git_repo "$r"
  for ((i = 0; i < 5000; i++)); do path+="d/"; done
  {
    echo "commit refs/heads/main"
    echo "committer hostile <hostile@example.com> 0 +0000"
    echo "data 7"
    echo "hostile"
    echo "M 100644 inline ${path}cm.yaml"
    echo "data $(cm deep | wc -c)"
    cm deep
  } | git -C "$r" fast-import --quiet
  run --url "file://$r"
  expect_error "folders nested deeper than 256 (limit)"
}

case_deep_json() {
  mkdir -p "$work/d"
  { printf '{"a":'; repeat 150000 '['; repeat 150000 ']'; printf '}'; } >"$work/d/deep.json"
  run "$work/d"
  expect_error "nesting deeper than 256"
}

case_deep_yaml() {
  mkdir -p "$work/d"
  { printf 'x: '; repeat 150000 '['; repeat 150000 ']'; echo; } >"$work/d/deep.yaml"
  run "$work/d"
  expect_error "nesting deeper than 256 (limit max-yaml-depth)"
}

case_regex_alternation() {
  mkdir -p "$work/k"
  cm "$(repeat 20000 a)" >"$work/k/cm.yaml"
  printf 'resources:\n- cm.yaml\npatches:\n- target:\n    name: (a|b)*\n  patch: |\n    - op: add\n      path: /data\n      value: {hit: "yes"}\n' \
    >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_ok "hit: \"yes\""
}

case_regex_nested() {
  mkdir -p "$work/k"
  cm "$(repeat 30 a)" >"$work/k/cm.yaml"
  printf 'resources:\n- cm.yaml\npatches:\n- target:\n    name: (a*)*b\n  patch: |\n    - op: add\n      path: /data\n      value: {hit: "yes"}\nimages:\n- name: (a*)*b\n  newTag: "2"\n' \
    >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_ok "name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  ! grep -q hit "$work/out" || fail "the patch matched"
}

case_empty_documents() {
  mkdir -p "$work/d"
  head -c $((7 * 1024 * 1024)) < <(yes -- ---) >"$work/d/docs.yaml"
  run "$work/d"
  expect_error "(limit max-yaml-documents)"
}

case_big_file() {
  mkdir -p "$work/d"
  head -c $((32 * 1024 * 1024)) < <(yes -- "- a") >"$work/d/big.yaml"
  run "$work/d"
  expect_error "(limit max-yaml-file-bytes)"
}

case_many_values() {
  mkdir -p "$work/d"
  head -c $((4 * 1024 * 1024)) < <(yes -- "- a") >"$work/d/values.yaml"
  run "$work/d"
  expect_error "(limit max-yaml-values)"
}

case_billion_laughs() {
  mkdir -p "$work/d"
  {
    echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    local prev=a next
    for next in b c d e f g h i; do
      echo "$next: &$next [*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev,*$prev]"
      prev=$next
    done
  } >"$work/d/lol.yaml"
  run "$work/d"
  expect_error "(limit max-yaml-values)"
}

case_copy_bomb() {
  mkdir -p "$work/k"
  cm a >"$work/k/cm.yaml"
  {
    printf 'resources:\n- cm.yaml\npatches:\n- target:\n    kind: ConfigMap\n  patch: |\n'
    printf '    - op: add\n      path: /x\n      value: {a: ["%s"]}\n' "$(repeat 1000 v)"
    for ((i = 0; i < 40; i++)); do printf '    - op: copy\n      from: /x\n      path: /x/a/-\n'; done
  } >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_error "(limit max-yaml-text-bytes)"
}

case_diamond() {
  local levels=22 i side
  mkdir -p "$work/t/l$levels"
  printf 'resources:\n- cm.yaml\n' >"$work/t/l$levels/kustomization.yaml"
  cm c >"$work/t/l$levels/cm.yaml"
  for ((i = levels - 1; i >= 0; i--)); do
    for side in a b; do
      mkdir -p "$work/t/l$i$side"
      printf 'resources:\n- ../l%d\nnamePrefix: %s-\n' $((i + 1)) "$side" >"$work/t/l$i$side/kustomization.yaml"
    done
    mkdir -p "$work/t/l$i"
    printf 'resources:\n- ../l%da\n- ../l%db\n' "$i" "$i" >"$work/t/l$i/kustomization.yaml"
  done
  run "$work/t/l0"
  expect_error "(limit max-kustomize-builds)"
}

case_namespace_not_string() {
  local ns
  for ns in 123 no; do
    rm -rf "$work/d"
    mkdir -p "$work/d"
    { cm x; printf '  namespace: %s\n' "$ns"; } >"$work/d/cm.yaml"
    run "$work/d"
    expect_error "cm.yaml#1: metadata.namespace must be a string"
  done
}

cases=(slash_entry deep_tree deep_json deep_yaml regex_alternation regex_nested empty_documents big_file many_values
  billion_laughs copy_bomb diamond namespace_not_string)

[ -x "$bin" ] || { echo "no gitopsd binary at $bin (build first)" >&2; exit 1; }
want=${1:-all}
for case in "${cases[@]}"; do
  [ "$want" = all ] || [ "$want" = "$case" ] || continue
  start=$SECONDS
  "case_$case"
  echo "ok [$case] $((SECONDS - start))s"
  rm -rf "${work:?}"/*
  found=1
done
[ -n "${found:-}" ] || { echo "unknown case: $want" >&2; exit 2; }
