#!/usr/bin/env bash
# Records how kubectl decodes each file (kubectl label --local needs no API server):
#   tests/testdata/yaml/regenerate.sh [path/to/kubectl]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kubectl=${1:-}
if [ -z "$kubectl" ]; then
  bin=${GITOPSD_TOOLS_BIN:-$("$here/../../cluster/tools.sh")}
  kubectl=$bin/kubectl
fi
cd "$here"
for f in *.yaml *.json; do
  case $f in *.kubectl.json) continue ;; esac
  KUBECONFIG=/dev/null "$kubectl" label --local -f "$f" -o json gitopsd-oracle- > "$f.kubectl.json"
done
echo "recorded $(ls *.kubectl.json | wc -l) files with $("$kubectl" version --client | head -1)"
