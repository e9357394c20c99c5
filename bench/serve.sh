#!/usr/bin/env bash
# Benchmark of `sanctwatch serve`: a store of VESSELS (100,000) vessels from bench_analyze's
# synthetic recording (analyzed with the detectors), then bench_serve as the live feed and
# the clients, in one run: ingest at RATE (50,000) messages/s alone, then the same ingest with
# CLIENTS (200) concurrent clients on area and event queries (p50/p99 latency, the ingest's
# messages/s beside the one without clients), first in a closed loop (each asks again at once:
# the worst case), then pausing about THINK_MS (1000) ms between requests, each from a random
# start (a team of analysts whose map and event list refresh about once a second; THINK_MS=0
# skips it), then SSE (500) event-stream clients and the delay from a sentence leaving the feed
# to each client reading its event; each phase's feed at RATE from its start. The service runs
# with --lateness 0 (a feed in time order) and --checkpoint-ms 500 (its default).
# Usage: [PHASE_SECONDS=15] [THINK_MS=1000] bench/serve.sh [VESSELS] [RATE] [CLIENTS] [SSE]
#        (BUILD=build default)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
V=${1:-100000} RATE=${2:-50000} CLIENTS=${3:-200} SSE=${4:-500} PHASE=${PHASE_SECONDS:-15} THINK=${THINK_MS:-1000}
SW="$ROOT/$BUILD/sanctwatch"
T=$(mktemp -d /tmp/sw-bench-serve-XXXXXX)
SRV= BEN=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; [ -n "$BEN" ] && kill "$BEN" 2>/dev/null; rm -rf "$T"' EXIT
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"
N=$((V * 10))
F=/tmp/sw-bench-$N-$V-f2.nmea # fleet 2 (bench/fleet.h): bench_serve feeds the same MMSIs
[ -f "$F" ] || "$ROOT/$BUILD/bench/bench_analyze" --write "$F" --messages "$N" --vessels "$V" --fleet 2
echo "== store: $N messages of $V vessels, analyzed with the detectors"
"$SW" analyze -q --db "$T/b.db" "$F"
OTP=$("$SW" users add --db "$T/b.db" --role viewer bench | sed -n 's/.*: \([A-Za-z0-9]*\)$/\1/p' | head -1)
echo "   $(sqlite3 "$T/b.db" 'SELECT count(*) FROM vessels') vessels, $(sqlite3 "$T/b.db" 'SELECT count(*) FROM events') event records"
"$ROOT/$BUILD/bench/bench_serve" --feed-port-file "$T/feed" --go "$T/go" --vessels "$V" \
    --rate "$RATE" --clients "$CLIENTS" --seconds "$PHASE" --sse "$SSE" --think-ms "$THINK" >"$T/out" &
BEN=$!
for _ in $(seq 100); do [ -s "$T/feed" ] && break; sleep 0.1; done
"$SW" serve --db "$T/b.db" --listen 127.0.0.1:0 --port-file "$T/port" --quiet \
    --feed "tcp://127.0.0.1:$(cat "$T/feed")" --lateness 0 --max-conn 4000 --max-conn-per-ip 4000 \
    --threads 4 2>"$T/serve.log" &
SRV=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port") U="http://127.0.0.1:$(cat "$T/port")/api/v1"
CSRF=$(curl -s -c "$T/cj" -H 'Content-Type: application/json' -d "{\"name\":\"bench\",\"password\":\"$OTP\"}" "$U/login" | sed 's/.*"csrf":"\([0-9a-f]*\)".*/\1/')
curl -s -b "$T/cj" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d "{\"old\":\"$OTP\",\"new\":\"bench password 1\"}" "$U/password" >/dev/null
TOKEN=$(curl -s -b "$T/cj" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
    -d '{"label":"bench"}' "$U/tokens" | sed 's/.*"token":"\([0-9a-f]*\)".*/\1/')
echo "$P $TOKEN" >"$T/go"
echo "== run: $V vessels, feed $RATE msg/s, $CLIENTS clients, $SSE streams, ${PHASE} s a phase; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
wait "$BEN" && BEN=
cat "$T/out"
echo "== load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
kill "$SRV"; wait "$SRV" 2>/dev/null || true; SRV=
