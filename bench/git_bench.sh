#!/usr/bin/env bash
# Git source benchmark: a repository of 20,000 files and 200 commits served by the test HTTP server
# (lighttpd + git-http-backend, basic auth). Measures a cold fetch, a warm fetch of one new commit
# and a no-change poll with gitopsd's Git source, each beside the git CLI's equivalent
# (git clone --bare, git fetch, git ls-remote), with wall time and peak RSS. gitopsd's fetch rows
# include reading the whole tree (all files) into the in-memory snapshot; the poll row is the
# listing-only check a controller makes each interval.
#   bench/git_bench.sh [FILES] [COMMITS]      (defaults 20000 200; needs `make build` first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/.." && pwd)
files=${1:-20000}
commits=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-bench-XXXXXX")
trap '"$src/tests/cluster/git/http.sh" stop "$work/http" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# The benchmark program links the core library that `make build` produced.
core="$src/build/src/libgitopsd_core.a"
[ -f "$core" ] || { echo "bench: $core is missing; run make build first" >&2; exit 1; }
g++ -std=c++20 -O2 -o "$work/git_fetch" "$here/git_fetch.cpp" -I"$src/include" "$core" \
  $(pkg-config --cflags --libs libgit2) -lcrypto -lfmt -pthread

echo "bench: generating $files files, $commits commits" >&2
git init -q --bare "$work/root/repo.git"
python3 "$here/make_repo.py" "$files" "$commits" 100 | git -C "$work/root/repo.git" fast-import --quiet
git -C "$work/root/repo.git" gc -q
eval "$("$src/tests/cluster/git/http.sh" start "$work/http" "$work/root" --owner $$)"
url_path="$URL/repo.git"
auth_url="${URL/:\/\//://$USERNAME:$PASSWORD@}/repo.git"

# measure LABEL COMMAND...: wall seconds and peak RSS of one command.
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r secs rss <"$work/time"
  printf "%-34s %8.2fs %9d KiB  %s\n" "$label" "$secs" "$rss" "$(head -c 90 "$work/out" | tr '\n' ' ')"
}

new_commit() {
  python3 - "$work/root/repo.git" <<'PY'
import subprocess, sys
repo = sys.argv[1]
stream = ("commit refs/heads/main\ncommitter Bench <bench@example.com> 1800000000 +0000\n"
          "data 10\none more\n\nfrom refs/heads/main^0\n"
          "M 100644 inline apps/new.yaml\ndata 16\nkind: ConfigMap\n\n")
subprocess.run(["git", "-C", repo, "fast-import", "--quiet"], input=stream.encode(), check=True)
PY
}

printf "%-34s %9s %13s\n" "operation" "wall" "peak RSS"
measure "gitopsd cold fetch" "$work/git_fetch" fetch "$work/cache" "$url_path" main "$USERNAME" "$PASSWORD"
measure "git clone --bare" git clone -q --bare "$auth_url" "$work/clone.git"
new_commit
measure "gitopsd warm fetch (1 new commit)" "$work/git_fetch" fetch "$work/cache" "$url_path" main "$USERNAME" "$PASSWORD"
measure "git fetch (1 new commit)" git -C "$work/clone.git" fetch -q origin "+refs/heads/main:refs/heads/main"
measure "gitopsd no-change fetch+snapshot" "$work/git_fetch" fetch "$work/cache" "$url_path" main "$USERNAME" "$PASSWORD"
measure "gitopsd no-change poll" "$work/git_fetch" poll "$work/cache" "$url_path" main "$USERNAME" "$PASSWORD"
measure "git ls-remote" git ls-remote "$auth_url" refs/heads/main
