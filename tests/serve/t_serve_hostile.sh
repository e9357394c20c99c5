#!/usr/bin/env bash
# Hostile clients against sanctwatch serve (tests/serve/hostile.mjs, node, raw sockets):
# slowloris and idle connections, oversized headers, URLs and bodies, malformed requests,
# path traversal on static files, SQL metacharacters in every parameter, HTML in answers,
# connection floods. Skips without node.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v node >/dev/null || { echo "SKIP: node absent"; exit 77; }
OUT="$SW_BUILD/test-artifacts/serve-hostile"; rm -rf "$OUT"; mkdir -p "$OUT"
SW_OUT="$OUT" timeout 600 node "$SW_ROOT/tests/serve/hostile.mjs"
