#!/usr/bin/env bash
# Rewrites every case's expected.yaml with the real kustomize (the oracle). Run after adding a case:
#   tests/testdata/kustomize/regenerate.sh [path/to/kustomize]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kustomize=${1:-}
if [ -z "$kustomize" ]; then
  bin=${GITOPSD_TOOLS_BIN:-$("$here/../../cluster/tools.sh")}
  kustomize=$bin/kustomize
fi
for dir in "$here"/*/; do
  "$kustomize" build "$dir" > "$dir/expected.yaml"
done
echo "regenerated $(ls -d "$here"/*/ | wc -l) cases with $("$kustomize" version)"
