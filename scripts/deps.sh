#!/usr/bin/env bash
# Installs the Debian 12 packages sanctwatch needs to build, test and run, if any are missing.
# Runs apt-get as root (or through sudo). Safe to run again: it installs only what is absent.
set -eu
PKGS="build-essential pkg-config clang libclang-rt-14-dev clang-format
libsqlite3-dev sqlite3 libjansson-dev zlib1g-dev libsodium-dev libxml2-dev libxml2-utils libicu-dev
libcmocka-dev gpsd-clients python3 chromium
libmicrohttpd-dev
libcurl4-openssl-dev openssl curl
libarchive-dev
libnats-dev nats-server
libfaketime
man-db"
# the dashboard of serve (make web: npm ci, esbuild) and its browser tests (playwright-core
# drives chromium, above): Debian's nodejs and npm, unless a node and an npm are there already
command -v node >/dev/null && command -v npm >/dev/null || PKGS="$PKGS nodejs npm"
[ "${SW_EXTRA_PKGS:-}" ] && PKGS="$PKGS $SW_EXTRA_PKGS"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
