#!/usr/bin/env python3
"""Drift-to-restore latency: deletes or edits COUNT random managed ConfigMaps of NAMESPACE, one at
a time, and times each from the watch event of the change to the watch event that undoes it (one
watch sees both, so neither kubectl's start-up nor this script's requests count).
Usage: drift_latency.py NAMESPACE COUNT SEED (server, token and CA from KUBECONFIG via kubectl).
Prints one summary line; objects not restored within 30 s are counted, not timed."""
import json
import queue
import random
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

namespace, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])


def kubeconfig(path):
    return subprocess.run(["kubectl", "config", "view", "--raw", "--flatten", "--minify", "-o", "jsonpath=" + path],
                          check=True, capture_output=True, text=True).stdout


server = kubeconfig("{.clusters[0].cluster.server}")
token = kubeconfig("{.users[0].user.token}")
ca = kubeconfig("{.clusters[0].cluster.certificate-authority-data}")
context = ssl.create_default_context()
if ca:
    import base64
    context.load_verify_locations(cadata=base64.b64decode(ca).decode())
base = f"{server}/api/v1/namespaces/{namespace}/configmaps"


def call(method, url, body=None, content_type="application/json"):
    request = urllib.request.Request(url, method=method, data=body)
    request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", content_type)
    return urllib.request.urlopen(request, context=context, timeout=60)


listing = json.load(call("GET", base + "?labelSelector=gitopsd.io%2Fname"))
names = sorted(item["metadata"]["name"] for item in listing["items"])
if not names:
    sys.exit(f"no managed ConfigMaps in {namespace}")
events = queue.Queue()


def watch():
    stream = call("GET", f"{base}?watch=1&allowWatchBookmarks=false&resourceVersion={listing['metadata']['resourceVersion']}")
    for line in stream:
        event = json.loads(line)
        events.put((time.monotonic(), event["type"], event["object"]))


threading.Thread(target=watch, daemon=True).start()


def wait_for(test, limit):
    """The time of the first event for which test(type, object) holds, or None after `limit` s."""
    deadline = time.monotonic() + limit
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        try:
            at, kind, obj = events.get(timeout=left)
        except queue.Empty:
            return None
        if test(kind, obj):
            return at


rng = random.Random(seed)
latencies, lost = [], 0
for i in range(count):
    name = rng.choice(names)
    mine = lambda obj: obj.get("metadata", {}).get("name") == name
    if i % 2 == 0:
        call("DELETE", f"{base}/{name}")
        changed = wait_for(lambda kind, obj: kind == "DELETED" and mine(obj), 30)
        restored = changed and wait_for(lambda kind, obj: kind == "ADDED" and mine(obj), 30)
    else:
        marker = f"drifted-{i}"
        call("PATCH", f"{base}/{name}", json.dumps({"data": {"key": marker}}).encode(), "application/merge-patch+json")
        value = lambda obj: obj.get("data", {}).get("key")
        changed = wait_for(lambda kind, obj: kind == "MODIFIED" and mine(obj) and value(obj) == marker, 30)
        restored = changed and wait_for(lambda kind, obj: kind == "MODIFIED" and mine(obj) and value(obj) != marker, 30)
    if changed and restored:
        latencies.append(restored - changed)
    else:
        lost += 1
    time.sleep(0.2)  # the next change is not part of this repair

latencies.sort()


def percentile(p):
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")


print(f"drift to restore ({count} deletes and edits of {len(names)} managed ConfigMaps): "
      f"p50 {percentile(50):.0f} ms, p99 {percentile(99):.0f} ms, max {percentile(100):.0f} ms, not restored {lost}")
