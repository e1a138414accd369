#!/usr/bin/env python3
"""Lists the strategic-merge list rules of a live API server's schema, for checking the table in
src/render/kustomize/merge_keys.cpp (kustomize's embedded schema is older: confirm a new entry
with kustomize build before adding it).

    kubectl get --raw /openapi/v2 | scripts/smp-merge-keys.py
"""
import json
import sys

definitions = json.load(sys.stdin)["definitions"]
for type_name, schema in sorted(definitions.items()):
    for field, prop in sorted(schema.get("properties", {}).items()):
        key = prop.get("x-kubernetes-patch-merge-key")
        strategy = prop.get("x-kubernetes-patch-strategy")
        if key or strategy:
            list_keys = ",".join(prop.get("x-kubernetes-list-map-keys", []))
            print(f"{type_name.rsplit('.', 2)[-2]}.{type_name.rsplit('.', 1)[-1]}\t{field}\t{key or '-'}\t{strategy}\t{list_keys or '-'}")
