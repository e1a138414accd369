#!/usr/bin/env bash
# watchdog.sh STATE COMMAND...: waits while STATE exists and has a live owner (see lib.sh), then
# runs COMMAND to tear it down. Started in its own session so Ctrl-C of the owner does not reach it.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
state=$1; shift
while [ -d "$state" ]; do
  if ! live_owners "$state"; then
    log "no owner of $state is left; tearing it down"
    exec "$@"
  fi
  sleep 0.5
done
