#!/usr/bin/env bash
# `gitopsd build --decrypt-keys`: a folder with files encrypted by the real sops renders decrypted
# with the right age key; without keys, with another key, with a tampered file or a key file of
# the wrong kind it fails naming the file or flag, and the value is never printed on an error.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${GITOPSD_BUILD_DIR:-$root/build}
source "$root/tests/cluster/lib.sh"
log_prefix=e2e
work=$(mktemp -d "${TMPDIR:-/tmp}/gitopsd-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { log "FAIL [cli_decrypt]: $*"; exit 1; }
sops=$("$root/tests/cluster/tools.sh")/sops
planted="planted-$RANDOM-$RANDOM"

age-keygen -o "$work/team.agekey" 2>/dev/null
age-keygen -o "$work/other.agekey" 2>/dev/null
mkdir -p "$work/app"
cat >"$work/app/db.yaml" <<YAML
apiVersion: v1
kind: Secret
metadata: {name: db}
stringData: {password: $planted}
YAML
(cd "$work" && "$sops" --encrypt --age "$(age-keygen -y team.agekey)" --encrypted-regex '^stringData$' --in-place app/db.yaml)

# build_err ARGS...: the build must fail; its stderr.
build_err() {
  local out
  if out=$("$build_dir/gitopsd" build "$@" 2>&1 >/dev/null); then fail "build $* succeeded"; fi
  grep -qF "$planted" <<<"$out" && fail "build $* printed the value"
  echo "$out"
}

out=$("$build_dir/gitopsd" build "$work/app" --decrypt-keys "$work/team.agekey" -o json) || fail "build with the key failed"
[ "$(jq -r '.items[0].stringData.password' <<<"$out")" = "$planted" ] || fail "not decrypted: $out"
[ "$(jq -r '.items[0] | has("sops")' <<<"$out")" = false ] || fail "sops metadata left in the object"

err=$(build_err "$work/app")
grep -qF "db.yaml: the file is encrypted with SOPS and no decryption keys are given" <<<"$err" || fail "without keys: $err"
err=$(build_err "$work/app" --decrypt-keys "$work/other.agekey")
grep -qF "decrypting" <<<"$err" && grep -qF "no decryption key opens the data key" <<<"$err" || fail "other key: $err"
cp "$work/team.agekey" "$work/team.txt"
err=$(build_err "$work/app" --decrypt-keys "$work/team.txt")
grep -qF -- "--decrypt-keys: $work/team.txt: a decryption key's name must end in .agekey (age) or .asc (OpenPGP)" <<<"$err" ||
  fail "key file name: $err"
err=$(build_err "$work/app" --decrypt-keys "$work/missing.agekey")
grep -qF -- "--decrypt-keys $work/missing.agekey: cannot be read" <<<"$err" || fail "missing key file: $err"
sed -i 's/name: db/name: dc/' "$work/app/db.yaml"
err=$(build_err "$work/app" --decrypt-keys "$work/team.agekey")
grep -qF "the MAC does not match" <<<"$err" || fail "tampered file: $err"
log "cli_decrypt passed"
