#!/usr/bin/env bash
# Browser tests of the dashboard (tests/serve/browser.mjs): Debian's Chromium through
# playwright-core from web/node_modules, against `sanctwatch serve` on a simulated store with
# a live feed. Screenshots and the service's log are kept in $SW_BUILD/test-artifacts/serve-browser.
# Skips (77) when node, chromium, the npm packages or the built dashboard are absent
# ('make web' builds them; scripts/test.sh does).
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v node >/dev/null || { echo "SKIP: node absent"; exit 77; }
[ -x /usr/bin/chromium ] || { echo "SKIP: /usr/bin/chromium absent"; exit 77; }
NM="$SW_ROOT/web/node_modules"
[ -d "$NM/playwright-core" ] || { echo "SKIP: web/node_modules absent (make web)"; exit 77; }
WEB="$SW_BUILD/web"
[ -f "$WEB/index.html" ] || WEB="$SW_ROOT/build/web"
[ -f "$WEB/index.html" ] || { echo "SKIP: the dashboard is not built (make web)"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
OUT="$SW_BUILD/test-artifacts/serve-browser"; rm -rf "$OUT"; mkdir -p "$OUT"
"$SW_BIN" simulate --seed 7 --hours 24 --out "$T/s.nmea" --truth "$T/s.json" 2>/dev/null || { echo "FAIL: simulate"; exit 1; }
"$SW_BIN" analyze -q --db "$T/t.db" "$T/s.nmea" || { echo "FAIL: analyze"; exit 1; }
"$SW_BIN" lists import --db "$T/t.db" "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" >/dev/null || { echo "FAIL: lists import"; exit 1; }
"$SW_BIN" ledger keygen --key "$T/k.key" >/dev/null || { echo "FAIL: keygen"; exit 1; }
SW_DB="$T/t.db" SW_KEY="$T/k.key" SW_WEB="$WEB" SW_OUT="$OUT" SW_NODE_MODULES="$NM" \
    timeout 300 node "$SW_ROOT/tests/serve/browser.mjs"
