#!/usr/bin/env bash
# Rewrites each case's expected.yaml: the case's tree/ folder (no kustomization at its top) built by
# the real kustomize with the kustomization Flux would generate for it (flux-kustomization.sh).
#   tests/testdata/flux/regenerate.sh [path/to/kustomize]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kustomize=${1:-}
if [ -z "$kustomize" ]; then
  bin=${GITOPSD_TOOLS_BIN:-$("$here/../../cluster/tools.sh")}
  kustomize=$bin/kustomize
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for dir in "$here"/*/; do
  name=$(basename "$dir")
  cp -r "$dir/tree" "$work/$name"
  "$here/flux-kustomization.sh" "$work/$name" > "$work/$name.kustomization"
  mv "$work/$name.kustomization" "$work/$name/kustomization.yaml"
  "$kustomize" build "$work/$name" > "$dir/expected.yaml"
done
echo "regenerated $(ls -d "$here"/*/ | wc -l) cases with $("$kustomize" version)"
