#!/usr/bin/env python3
"""Writes a git fast-import stream: FILES files in the first commit, then COMMITS-1 commits that
each change CHANGED files. Usage: make_repo.py FILES COMMITS CHANGED | git fast-import"""
import sys

files, commits, changed = (int(a) for a in sys.argv[1:4])
out = sys.stdout.buffer
when = 1700000000


def blob(text):
    data = text.encode()
    out.write(b"data %d\n" % len(data) + data + b"\n")


def manifest(i, rev):
    return (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: bench\n"
            f"data:\n  revision: \"{rev}\"\n  payload: \"{'x' * 64}\"\n")


for c in range(commits):
    out.write(b"commit refs/heads/main\n")
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (when + c))
    msg = f"commit {c}"
    blob(msg)
    touched = range(files) if c == 0 else [(c * changed + k) % files for k in range(changed)]
    for i in touched:
        out.write(f"M 100644 inline apps/app-{i // 500:03d}/cm-{i:05d}.yaml\n".encode())
        blob(manifest(i, c))
    out.write(b"\n")
