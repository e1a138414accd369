#!/usr/bin/env bash
# Rendering benchmark: `gitopsd build` beside `kubectl kustomize` on the same inputs, in one run.
#  1. a plain folder of 10,000 objects (kubectl gets a kustomization listing the same files)
#  2. a three-level overlay (base -> mid -> top) producing 2,000 objects
#  3. replacements and built-in transformers configured by files, on 2,001 objects
# Prints wall time, the ratio and peak RSS of each. Usage: bench/render_bench.sh [gitopsd] [kubectl]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gitopsd=${1:-$root/build/gitopsd}
kubectl=${2:-}
if [ -z "$kubectl" ]; then
  bin=${GITOPSD_TOOLS_BIN:-$("$root/tests/cluster/tools.sh")}
  kubectl=$bin/kubectl
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

object() {  # object KIND-INDEX
  local i=$1
  cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-$i
  labels: {app: app-$i, tier: "backend"}
spec:
  replicas: 2
  selector:
    matchLabels: {app: app-$i}
  template:
    metadata:
      labels: {app: app-$i}
    spec:
      serviceAccountName: runner
      containers:
      - name: app
        image: nginx:1.25
        ports: [{containerPort: 8080, name: http}]
        env:
        - {name: MODE, value: "production"}
        - {name: SLOT, value: "$i"}
        envFrom: [{configMapRef: {name: settings-$i}}]
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-$i
data:
  key: "value-$i"
  enabled: "yes"
YAML
}

# 1. plain folder: 500 files x 10 documents x 2 objects = 10,000 objects.
mkdir -p "$work/plain/manifests"
for f in $(seq 1 500); do
  {
    for d in $(seq 1 10); do
      object "$f-$d"
      echo "---"
    done
  } > "$work/plain/manifests/file-$f.yaml"
done
# kustomize reads only files below its root: give it a linked copy of the same files.
cp -al "$work/plain" "$work/plain-k"
{
  echo "resources:"
  for f in $(seq 1 500); do echo "- manifests/file-$f.yaml"; done
} > "$work/plain-k/kustomization.yaml"

# 2. three levels: base 1,000 objects, mid adds a prefix, labels and a patch, top a namespace,
#    images, generator merge and a JSON patch: 2,000 objects with generated ConfigMaps.
mkdir -p "$work/overlay/base" "$work/overlay/mid" "$work/overlay/top"
{
  for f in $(seq 1 500); do object "$f"; echo "---"; done
} > "$work/overlay/base/all.yaml"
cat > "$work/overlay/base/kustomization.yaml" <<YAML
resources: [all.yaml]
configMapGenerator:
- name: shared
  literals: [a=1, b=2]
YAML
{
  for f in $(seq 501 1000); do object "$f"; echo "---"; done
} > "$work/overlay/mid/more.yaml"
cat > "$work/overlay/mid/kustomization.yaml" <<YAML
resources: [../base, more.yaml]
namePrefix: mid-
commonLabels: {layer: mid}
patches:
- target: {kind: Deployment}
  patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: any}
    spec:
      template:
        spec:
          containers:
          - name: app
            env:
            - {name: LAYER, value: mid}
YAML
cat > "$work/overlay/top/kustomization.yaml" <<YAML
resources: [../mid]
namespace: production
namePrefix: top-
commonAnnotations: {owner: platform}
images:
- {name: nginx, newName: registry.example.com/nginx, newTag: "1.27"}
configMapGenerator:
- name: shared
  behavior: merge
  literals: [c=3]
patches:
- target: {kind: ConfigMap}
  patch: |-
    - op: add
      path: /data/layer
      value: top
YAML

# 3. 2,001 objects; one ConfigMap's value copied into every Deployment by a replacement, and
#    labels, a prefix, an image and replicas set by transformer configuration files.
mkdir -p "$work/transform"
{
  for f in $(seq 1 1000); do object "$f"; echo "---"; done
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: release}\ndata: {version: "2024.1"}\n'
} > "$work/transform/all.yaml"
cat > "$work/transform/kustomization.yaml" <<YAML
resources: [all.yaml]
transformers: [transformers.yaml]
replacements:
- source: {kind: ConfigMap, name: release, fieldPath: data.version}
  targets:
  - select: {kind: Deployment}
    fieldPaths:
    - spec.template.spec.containers.[name=app].env.[name=MODE].value
    - metadata.annotations.release
    options: {create: true}
YAML
cat > "$work/transform/transformers.yaml" <<YAML
apiVersion: builtin
kind: LabelTransformer
metadata: {name: labels}
labels: {team: payments, env: prod}
fieldSpecs:
- {path: metadata/labels, create: true}
- {path: spec/template/metadata/labels, create: true, kind: Deployment}
---
apiVersion: builtin
kind: ReplicaCountTransformer
metadata: {name: replicas}
replica: {name: app-7, count: 5}
fieldSpecs: [{path: spec/replicas, create: true, kind: Deployment}]
---
apiVersion: builtin
kind: PrefixSuffixTransformer
metadata: {name: prefix}
prefix: pay-
fieldSpecs: [{path: metadata/name}]
---
apiVersion: builtin
kind: ImageTagTransformer
metadata: {name: image}
imageTag: {name: nginx, newTag: "1.27"}
YAML

measure() {  # measure LABEL COMMAND... -> "seconds peak_kb", output discarded
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(cat "$work/rss")"
}

count() { grep -c '^kind:' "$work/out" || true; }

printf '%-28s %10s %12s %10s\n' case seconds "peak RSS MB" objects
run_pair() {
  local name=$1 gdir=$2 kdir=$3
  read -r gt gm < <(measure "$gitopsd" build "$gdir")
  local gn; gn=$(count)
  cp "$work/out" "$work/gitopsd.yaml"
  read -r kt km < <(measure "$kubectl" kustomize "$kdir")
  local kn; kn=$(count)
  # The same objects in the same order, or the timing means nothing.
  rm -rf "$work/cmp" && mkdir -p "$work/cmp/g" "$work/cmp/k"
  cp "$work/gitopsd.yaml" "$work/cmp/g/out.yaml" && cp "$work/out" "$work/cmp/k/out.yaml"
  # Each output read back as one file: far past the default budgets, which are for Git input. A
  # read that fails is a failed comparison, not an empty (and so equal) one.
  local big=(--max-yaml-file-bytes 1099511627776 --max-yaml-documents 100000000 --max-yaml-values 100000000
    --max-yaml-text-bytes 1099511627776 --max-render-objects 100000000 --max-render-bytes 1099511627776)
  if ! "$gitopsd" build "$work/cmp/g" -o json "${big[@]}" | jq -S . >"$work/cmp/g.json" ||
    ! "$gitopsd" build "$work/cmp/k" -o json "${big[@]}" | jq -S . >"$work/cmp/k.json"; then
    echo "$name: COMPARISON FAILED (an output could not be read back)" >&2
    exit 1
  fi
  if ! cmp -s "$work/cmp/g.json" "$work/cmp/k.json"; then
    [ -n "${BENCH_KEEP:-}" ] && cp -r "$work/cmp" "$BENCH_KEEP"
    echo "$name: OUTPUTS DIFFER" >&2
    exit 1
  fi
  echo "$name: outputs identical ($(jq ".items | length" "$work/cmp/g.json") objects)" >&2
  printf '%-28s %10.3f %12.1f %10s\n' "$name: gitopsd build" "$gt" "$(echo "$gm/1024" | bc -l)" "$gn"
  printf '%-28s %10.3f %12.1f %10s\n' "$name: kubectl kustomize" "$kt" "$(echo "$km/1024" | bc -l)" "$kn"
  printf '%-28s %10.1fx\n' "$name: speed-up" "$(echo "$kt / $gt" | bc -l)"
}
# BENCH_CASES picks cases (kubectl kustomize needs many minutes for the 10k folder).
cases=${BENCH_CASES:-"plain overlay transform"}
for c in $cases; do
  case $c in
    plain) run_pair "plain 10k" "$work/plain" "$work/plain-k" ;;
    overlay) run_pair "overlay 2k" "$work/overlay/top" "$work/overlay/top" ;;
    transform) run_pair "transformers 2k" "$work/transform" "$work/transform" ;;
  esac
done
