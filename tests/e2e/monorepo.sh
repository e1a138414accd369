#!/usr/bin/env bash
# A monorepo: a commit that changes none of the files a GitRepository's render read (its folder,
# a base outside it) costs it no dry run and no apply; its status moves to the new revision with
# "no change in <path>". A commit to a base it reads is applied as usual.
source "$(dirname "$0")/lib.sh"
install_rbac
start_git
write a/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {value: "1"}
YAML
write b/kustomization.yaml <<'YAML'
resources: [cm.yaml, ../shared]
YAML
write b/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: b1}
data: {value: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b2}
data: {value: "1"}
YAML
write shared/kustomization.yaml <<'YAML'
resources: [base.yaml]
YAML
write shared/base.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: shared-base}
data: {value: "1"}
YAML
sha1=$(commit "a, and b with a shared base")
start_agent
interval=5s gitrepository a "  path: a"
interval=5s gitrepository b "  path: b"
wait_for 60 "a Ready" is_ready_at a "$sha1"
wait_for 60 "b Ready" is_ready_at b "$sha1"
wait_for 30 "the ConfigMap watch synced" grep -q "drift watch synced" "$work/agent.log"
after_reconciles 1 a
after_reconciles 1 b

requests() { metric gitopsd_api_requests_total "verb=\"$1\""; }  # VERB
# A commit to a/ only: a dry-runs and applies its one object, b none of its three.
dry_runs=$(requests apply-dry-run) applies=$(requests apply)
write a/cm.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: a}
data: {value: "2"}
YAML
sha2=$(commit "a changes")
wait_for 60 "a Ready at the second commit" is_ready_at a "$sha2"
wait_for 60 "b Ready at the second commit" is_ready_at b "$sha2"
expect_eq "$(jsonpath configmap/a '{.data.value}')" 2 "ConfigMap a after its commit"
expect_eq "$(ready_message b)" "Applied revision: main@sha1:$sha2 (no change in b)" "b's Ready message"
expect_eq "$(($(requests apply-dry-run) - dry_runs))" 1 "dry runs for a commit to a/ (a has one object, b three)"
expect_eq "$(($(requests apply) - applies))" 1 "applies for a commit to a/"

# A commit to the base b reads from outside its folder: b applies it, a has no change.
write shared/base.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: shared-base}
data: {value: "2"}
YAML
sha3=$(commit "the shared base changes")
wait_for 60 "b Ready at the third commit" is_ready_at b "$sha3"
wait_for 60 "a Ready at the third commit" is_ready_at a "$sha3"
expect_eq "$(jsonpath configmap/shared-base '{.data.value}')" 2 "the shared base after its commit"
expect_eq "$(ready_message a)" "Applied revision: main@sha1:$sha3 (no change in a)" "a's Ready message"
expect_eq "$(ready_message b)" "Applied revision: main@sha1:$sha3" "b's Ready message"
