#!/usr/bin/env bash
# Prints the kustomization Flux's kustomize-controller generates for a folder without one: every
# *.yaml and *.yml file below it, walked depth first with names in byte order, where a folder
# holding a kustomization file is listed as one resource and not entered. Hidden folders are left
# out (gitopsd skips them; Flux's default ignore rules drop .git, .github and the like).
#   tests/testdata/flux/flux-kustomization.sh DIR
set -euo pipefail

walk() {  # walk FOLDER RELATIVE
  local dir=$1 rel=$2 name path
  while IFS= read -r name; do
    path=$dir/$name
    if [ -d "$path" ] && [ ! -L "$path" ]; then
      case $name in .*) continue ;; esac
      if [ -f "$path/kustomization.yaml" ] || [ -f "$path/kustomization.yml" ] || [ -f "$path/Kustomization" ]; then
        printf -- '- "%s"\n' "$rel/$name"
      else
        walk "$path" "$rel/$name"
      fi
    else
      case $name in *.yaml | *.yml) printf -- '- "%s"\n' "$rel/$name" ;; esac
    fi
  done < <(cd "$dir" && LC_ALL=C ls -A | LC_ALL=C sort)
}

printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n'
walk "$1" .
