#!/usr/bin/env bash
# Installs the Debian packages gitopsd builds and tests with, only those missing; idempotent.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build pkg-config git
  libgit2-dev libssl-dev libcurl4-openssl-dev rapidjson-dev libyaml-cpp-dev libboost1.81-dev libfmt-dev catch2 libcli11-dev
  libre2-dev libyaml-dev libgpgme-dev
  # fuzzing (tests/fuzz): clang with libFuzzer
  clang libclang-rt-14-dev
  # test harness: certificates (openssl), git servers (lighttpd + its TLS module running
  # git-http-backend from git; sshd), HTTP checks (curl), ports (ss from iproute2), process tools
  openssl curl lighttpd lighttpd-mod-openssl openssh-server openssh-client iproute2 jq procps util-linux
  # signature tests: real signatures made by gpg (gnupg) and ssh-keygen (openssh-client)
  gnupg
  # SOPS tests: the real age tool checks our age code in both directions
  age
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine: refresh them once, then install.
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
