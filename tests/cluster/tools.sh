#!/usr/bin/env bash
# Builds the upstream binaries the tests run against (once per version, from the Go module proxy)
# and prints the folder that holds them. Safe to run from several processes at once.
set -euo pipefail
# A failed build inside $(...) must stop the script, not be marked done.
shopt -s inherit_errexit
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${GITOPSD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitopsd/tools}
mkdir -p "$cache"
export GOFLAGS=-mod=mod CGO_ENABLED=0

log() { echo "tools: $*" >&2; }

# Go builds the upstream components only (never the product); Debian's Go is too old for them.
command -v go >/dev/null || { log "Go >= 1.26 is needed to build the test tools (https://go.dev/dl/)"; exit 1; }

# A wrapper module's key: its version plus a hash of its sources, so an edit rebuilds it.
module_key() { (cd "$1" && cat go.mod go.sum $(find . -name '*.go' | sort) | sha256sum | cut -c1-12); }

# build NAME KEY COMMAND...: runs COMMAND with $out set, once per key, under a lock.
build() {
  local name=$1 key=$2; shift 2
  local dest="$cache/$name-$key"
  [ -e "$dest/.done" ] && { echo "$dest"; return; }
  exec 9>"$cache/$name.lock"
  flock 9
  if [ ! -e "$dest/.done" ]; then
    log "building $name ($key); a cold build takes a while"
    local start=$SECONDS
    rm -rf "$dest.tmp" && mkdir -p "$dest.tmp"
    if ! out="$dest.tmp" "$@" >&2; then
      log "building $name failed"
      exit 1
    fi
    touch "$dest.tmp/.done" && rm -rf "$dest" && mv "$dest.tmp" "$dest"
    log "built $name in $((SECONDS - start))s"
  fi
  exec 9>&-
  echo "$dest"
}

kube_ldflags() {
  local v=$KUBE_VERSION major minor
  major=${v#v}; major=${major%%.*}; minor=${v#v*.}; minor=${minor%%.*}
  local flags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  echo "$flags"
}

build_kube() { (cd "$here/bins/kube" && go build -trimpath -ldflags "$(kube_ldflags)" -o "$out/" ./cmd/...); }
build_etcd() { (cd "$here/bins/etcd" && go build -trimpath -ldflags "-s -w" -o "$out/etcd" .); }
go_install() { GOBIN="$out" go install -trimpath -ldflags "-s -w" "$1"; }
# Standalone kwok needs Stage objects to act on nodes and pods; take upstream's "fast" node and pod
# stages and lease heartbeats from the same module version, as one config file next to the binary.
build_kwok() {
  go_install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  local dir
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -d "$dir/kustomize/stage" ] || { log "kwok stages not found in the module"; return 1; }
  local f
  for f in "$dir"/kustomize/stage/node/fast/*.yaml "$dir"/kustomize/stage/node/heartbeat-with-lease/*.yaml \
    "$dir"/kustomize/stage/pod/fast/*.yaml; do
    case ${f##*/} in kustomization.yaml) continue ;; esac
    echo "---"
    cat "$f"
  done >"$out/kwok-stages.yaml"
}

kube=$(build kube "$KUBE_VERSION-$(module_key "$here/bins/kube")" build_kube)
etcd=$(build etcd "$ETCD_VERSION-$(module_key "$here/bins/etcd")" build_etcd)
kwok=$(build kwok "$KWOK_VERSION-stages" build_kwok)
helm=$(build helm "$HELM_VERSION" go_install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION")
kustomize=$(build kustomize "$KUSTOMIZE_VERSION" go_install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION")
sops=$(build sops "$SOPS_VERSION" go_install "github.com/getsops/sops/v3/cmd/sops@$SOPS_VERSION")

# One folder of links, so callers need a single PATH entry.
bin="$cache/bin-$(echo "$kube $etcd $kwok $helm $kustomize $sops" | sha256sum | cut -c1-12)"
if [ ! -d "$bin" ]; then
  tmp=$(mktemp -d "$cache/bin.XXXXXX")
  for d in "$kube" "$etcd" "$kwok" "$helm" "$kustomize" "$sops"; do
    for f in "$d"/*; do ln -sf "$f" "$tmp/"; done
  done
  mv -T "$tmp" "$bin" 2>/dev/null || rm -rf "$tmp"
fi
echo "$bin"
