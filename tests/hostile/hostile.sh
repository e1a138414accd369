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
server_pid=""
# The SSH server's state is inside $work: stopped before it goes (its watchdog would only exit).
trap '[ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null
  [ ! -d "$work/sshd" ] || "$root/tests/cluster/git/ssh.sh" stop "$work/sshd" >/dev/null 2>&1
  rm -rf "$work"' EXIT

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
  run "$work/d/deep.json"  # a folder lists .yaml and .yml files only, as Flux does
  expect_error "nesting deeper than 256"
}

case_deep_yaml() {
  mkdir -p "$work/d"
  { printf 'x: '; repeat 150000 '['; repeat 150000 ']'; echo; } >"$work/d/deep.yaml"
  run "$work/d"
  expect_error "nesting deeper than 256 (limit max-yaml-depth)"
}

# A merge key whose value is the map that holds it: a cycle yaml-cpp keeps (three lines once
# overflowed the stack).
case_merge_cycle() {
  mkdir -p "$work/d"
  { cm m; printf 'data: &d\n  <<: *d\n  k: v\n'; } >"$work/d/cycle.yaml"
  run "$work/d"
  expect_error "a merge key's value contains the map that holds it"
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

# serve_refs COUNT: a smart-HTTP Git server on 127.0.0.1 whose ref advertisement holds COUNT
# refs (0: endless); sets url. Stopped with the script.
serve_refs() {
  cat >"$work/refs_server.py" <<'PY'
import http.server, socketserver, sys
count = int(sys.argv[1])
def pkt(text):
    data = text.encode()
    return b"%04x" % (len(data) + 4) + data
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def log_message(self, *args):
        pass
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/x-git-upload-pack-advertisement")
        self.end_headers()
        oid = "1" * 40
        try:
            self.wfile.write(pkt("# service=git-upload-pack\n") + b"0000")
            self.wfile.write(pkt(oid + " HEAD\0multi_ack_detailed side-band-64k ofs-delta\n"))
            n = 0
            while count == 0 or n < count:
                chunk = b"".join(pkt("%s refs/heads/b%d\n" % (oid, i)) for i in range(n, n + 1000))
                self.wfile.write(chunk)
                n += 1000
            self.wfile.write(b"0000")
        except (BrokenPipeError, ConnectionResetError):
            pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
  python3 "$work/refs_server.py" "$1" >"$work/port" &
  server_pid=$!
  local i
  for ((i = 0; i < 50; i++)); do [ -s "$work/port" ] && break; sleep 0.1; done
  [ -s "$work/port" ] || fail "the Git server did not start"
  url="http://127.0.0.1:$(cat "$work/port")/repo.git"
}

stop_server() {
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

case_endless_listing() {
  serve_refs 0
  run --url "$url"
  stop_server
  expect_error "the Git server at 127.0.0.1 sent more than 16777216 bytes of refs (limit max-git-listing-bytes)"
}

# serve_ssh_refs: the test SSH server (tests/cluster/git/ssh.sh) whose key's only command sends an
# endless ref advertisement; sets url and writes the Secret for it to $work/ssh-secret.yaml.
serve_ssh_refs() {
  local d="$work/sshd"
  mkdir -p "$d"
  cat >"$work/refs.py" <<'PY'
import sys
def pkt(text):
    data = text.encode()
    return b"%04x" % (len(data) + 4) + data
out = sys.stdout.buffer
oid = "1" * 40
try:
    out.write(pkt(oid + " HEAD\0multi_ack_detailed side-band-64k ofs-delta\n"))
    n = 0
    while True:
        out.write(b"".join(pkt("%s refs/heads/b%d\n" % (oid, i)) for i in range(n, n + 1000)))
        n += 1000
except (BrokenPipeError, ConnectionResetError):
    pass
PY
  local info
  info=$("$root/tests/cluster/git/ssh.sh" start "$d" --owner $$ --command "python3 $work/refs.py")
  eval "$info"
  url="$URL_PREFIX/repo.git"
  {
    printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: ssh}\nstringData:\n  identity: |\n'
    sed 's/^/    /' "$IDENTITY"
    printf '  known_hosts: |\n    %s\n' "$KNOWN_HOSTS_LINE"
  } >"$work/ssh-secret.yaml"
}

case_endless_listing_ssh() {
  serve_ssh_refs
  run --url "$url" --secret-file "$work/ssh-secret.yaml"
  "$root/tests/cluster/git/ssh.sh" stop "$work/sshd" >/dev/null
  expect_error "the Git server at 127.0.0.1 sent more than 16777216 bytes of refs (limit max-git-listing-bytes)"
}

case_many_refs() {
  serve_refs 120000
  run --url "$url"
  stop_server
  expect_error "advertises 120001 refs, more than 100000 (limit max-git-listing-refs)"
}

# A 200 MB file beside the rendered path, served over smart HTTP: never read, so it costs no
# memory (libgit2's indexer streams it to disk; its local file:// transport would build a pack in
# memory, which is the fetch's cost and not the snapshot's).
case_big_blob_outside_path() {
  local r=$work/repos/app.git src=$work/src blob
  mkdir -p "$work/repos"
  git init -q --bare -b main "$r"
  git_repo "$src"
  mkdir -p "$src/deploy"
  cm small >"$src/deploy/cm.yaml"
  git -C "$src" add deploy
  blob=$(head -c $((200 * 1024 * 1024)) /dev/zero | git -C "$src" hash-object -w --stdin)
  git -C "$src" update-index --add --cacheinfo "100644,$blob,assets/big.bin"
  git -C "$src" commit -q -m hostile
  git -C "$src" push -q "$r" main
  local info
  info=$("$root/tests/cluster/git/http.sh" start "$work/git" "$work/repos" --owner $$)
  eval "$info"
  printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: auth}\nstringData: {username: "%s", password: "%s"}\n' \
    "$USERNAME" "$PASSWORD" >"$work/secret.yaml"
  run --url "$URL/app.git" --path deploy --secret-file "$work/secret.yaml"
  "$root/tests/cluster/git/http.sh" stop "$work/git" >/dev/null
  expect_ok "name: small"
}

# Generator files that are symlinks leading out of the kustomization's folder, in a Git commit and
# in a folder outside any Git work tree (where the tree's root is the file system's).
case_generator_symlink() {
  local r=$work/repo
  git_repo "$r"
  mkdir -p "$r/app" "$r/other"
  echo sibling >"$r/other/s.txt"
  ln -s ../other/s.txt "$r/app/sib.txt"
  printf 'configMapGenerator:\n- name: c\n  files:\n  - sib.txt\n' >"$r/app/kustomization.yaml"
  git -C "$r" add -A
  git -C "$r" commit -q -m hostile
  run --url "file://$r" --path app
  expect_error 'file "sib.txt" is a link to "other/s.txt", outside the kustomization'"'"'s folder "app"'
  rm -rf "$r/.git"
  ln -s /etc/passwd "$r/app/passwd"
  printf 'configMapGenerator:\n- name: c\n  files:\n  - passwd\n' >"$r/app/kustomization.yaml"
  run "$r/app"
  expect_error 'file "passwd" is a link to "etc/passwd", outside the kustomization'"'"'s folder'
  ! grep -q "root:" "$work/out" || fail "/etc/passwd was read"
  ln -s ../other/s.txt "$r/app/sib2.txt"
  printf 'configMapGenerator:\n- name: c\n  files:\n  - sib2.txt\n' >"$r/app/kustomization.yaml"
  run "$r/app"
  expect_error 'file "sib2.txt" is a link to "'
  ln -s ../app/kustomization.yaml "$r/app/inside.txt"
  printf 'configMapGenerator:\n- name: c\n  files:\n  - inside.txt\n' >"$r/app/kustomization.yaml"
  run "$r/app"
  expect_ok "inside.txt: \"configMapGenerator:"
}

# Objects grown while a build changes them: each stops at the in-memory budget, not at the end
# of the step (before, each took gigabytes and crashed).
many_cms() {  # many_cms COUNT: a stream of ConfigMaps c0..
  local i
  for ((i = 0; i < $1; i++)); do printf -- '---\n'; cm "c$i"; done
}
big_word() { head -c "$1" < <(yes b | tr -d '\n'); }

case_transformer_copies() {
  mkdir -p "$work/k"
  many_cms 300 >"$work/k/cms.yaml"
  { printf 'resources:\n- cms.yaml\ncommonAnnotations:\n  a: '; big_word $((4 * 1024 * 1024)); echo; } >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_error "(4x the limit max-render-bytes"
}

case_replacement_wildcard() {
  mkdir -p "$work/k"
  { cm src; printf 'data:\n  v: '; big_word 100000; echo; } >"$work/k/src.yaml"
  { cm tgt; printf 'spec:\n  items:\n'; head -n 30000 < <(yes '  - a: 1'); } >"$work/k/tgt.yaml"
  printf 'resources:\n- src.yaml\n- tgt.yaml\nreplacements:\n- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data.v\n  targets:\n  - select:\n      name: tgt\n    fieldPaths:\n    - spec.items.*.a\n' \
    >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_error "(4x the limit max-render-bytes"
}

case_generator_files() {
  mkdir -p "$work/k"
  big_word $((4 * 1024 * 1024)) >"$work/k/big.txt"
  { printf 'configMapGenerator:\n- name: g\n  files:\n'; for ((i = 0; i < 300; i++)); do echo "  - k$i=big.txt"; done; } \
    >"$work/k/kustomization.yaml"
  run "$work/k"
  expect_error "files big.txt: the build's objects take more than"
}

case_slow_target_pattern() {
  mkdir -p "$work/k"
  local long i
  long=$(repeat 5000 a)
  for ((i = 0; i < 1000; i++)); do printf -- '---\n'; cm "$long$i"; done >"$work/k/cms.yaml"
  printf -- '- op: add\n  path: /data\n  value: {q: v}\n' >"$work/k/p.yaml"
  printf "resources:\n- cms.yaml\npatches:\n- path: p.yaml\n  target:\n    name: '(%s)%s'\n" "$(repeat 3000 'a?')" "$(repeat 3000 a)" \
    >"$work/k/kustomization.yaml"
  run "$work/k" --max-render-seconds 5
  expect_error "p.yaml: rendering took longer than 5 s (limit max-render-seconds)"
}

case_slow_ignore() {
  mkdir -p "$work/d"
  cm c >"$work/d/cm.yaml"
  head -n 17000 < <(yes "$(repeat 28 '*a')*b") >"$work/d/.sourceignore"
  local long i
  long=$(repeat 240 a)
  for ((i = 0; i < 3000; i++)); do : >"$work/d/$long$i.txt"; done
  run "$work/d" --max-render-seconds 5
  expect_error "rendering took longer than 5 s (limit max-render-seconds)"
}

cases=(slash_entry deep_tree deep_json deep_yaml merge_cycle regex_alternation regex_nested empty_documents big_file many_values
  billion_laughs copy_bomb diamond namespace_not_string endless_listing endless_listing_ssh many_refs big_blob_outside_path
  generator_symlink transformer_copies replacement_wildcard generator_files slow_target_pattern slow_ignore)

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
