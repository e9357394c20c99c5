#!/usr/bin/env bash
# API tests of sanctwatch serve (tests/serve/api.mjs, node): every endpoint unauthenticated and
# with the wrong role, bad parameters, paging, reviews and proofs, alerts, tokens, CSRF,
# sessions, login limits, the event stream resumed with Last-Event-ID. Skips without node.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v node >/dev/null || { echo "SKIP: node absent"; exit 77; }
OUT="$SW_BUILD/test-artifacts/serve-api"; rm -rf "$OUT"; mkdir -p "$OUT"
SW_OUT="$OUT" timeout 600 node "$SW_ROOT/tests/serve/api.mjs"
