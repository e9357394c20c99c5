#!/usr/bin/env bash
# bench_cases: `sanctwatch analyze` throughput with the detectors and the cases stage
# (possible_port_call, corridor_voyage: docs/cases.md) beside the same run with --no-cases, on
# the ingest benchmark's synthetic recording (bench_analyze --write: 20,000 vessels across
# 20-50N 115-145E, straight legs with turns and stops, type 1 + type 5). Target: with the
# stage, at least 90% of the throughput without it. Then the sea router's queries per second
# (bench_searoute) beside great-circle distances.
#
#   make BUILD=build && BUILD=build bench/bench_cases.sh [MESSAGES]
#
# Rates are messages per CPU second (user + system from /usr/bin/time): the machine is shared.
# REPEAT (default 3) rounds of both runs, alternately; RATIO is best over best.
set -eu
BUILD=${BUILD:-build}
N=${1:-2000000}
BIN=$BUILD/sanctwatch
GEN=$BUILD/bench/bench_analyze
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
D=${BENCH_DIR:-/tmp/sanctwatch-bench-cases}
mkdir -p "$D"
FLEET=${FLEET:-2} # bench/fleet.h
REC=$D/rec-$N-f$FLEET.nmea
[ -f "$REC" ] || "$GEN" --write "$REC" --messages "$N" --vessels 20000 --fleet "$FLEET" >/dev/null

run() { # label args...
    local label=$1; shift
    rm -f "$D/b.db" "$D/b.db-wal" "$D/b.db-shm"
    /usr/bin/time -f "%U %S %e %M" -o "$D/time" "$BIN" analyze -q --db "$D/b.db" \
        --events "$D/events-$label.jsonl" "$@" "$REC"
    read -r u s e m <"$D/time"
    local msgs cpu rate
    msgs=$(sqlite3 "$D/b.db" "SELECT json_extract(counters,'\$.messages') FROM ingest_runs ORDER BY id DESC LIMIT 1")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    rate=$(awk -v m="$msgs" -v c="$cpu" 'BEGIN { printf "%.0f", m / c }')
    echo "RESULT $label messages=$msgs cpu_s=$cpu wall_s=$e msgs_per_cpu_s=$rate maxrss_kb=$m"
    eval "RATE_$label=$rate"
}

REPEAT=${REPEAT:-3}
echo "== $N messages ($REC), $REPEAT rounds, load average $(cut -d' ' -f1-3 /proc/loadavg)"
BEST_nocases=0 BEST_cases=0
for r in $(seq "$REPEAT"); do
    run nocases --no-cases
    run cases
    awk -v a="$RATE_cases" -v b="$RATE_nocases" -v r="$r" \
        'BEGIN { printf "round %d: cases/nocases=%.2f\n", r, a / b }'
    [ "$RATE_nocases" -gt "$BEST_nocases" ] && BEST_nocases=$RATE_nocases
    [ "$RATE_cases" -gt "$BEST_cases" ] && BEST_cases=$RATE_cases
done
echo "events with the stage: $(wc -l <"$D/events-cases.jsonl"), without: $(wc -l <"$D/events-nocases.jsonl")" \
    "(possible_port_call $(grep -c '"possible_port_call"' "$D/events-cases.jsonl" || true)," \
    "corridor_voyage $(grep -c '"corridor_voyage"' "$D/events-cases.jsonl" || true))"
awk -v a="$BEST_cases" -v b="$BEST_nocases" \
    'BEGIN { printf "RATIO cases/nocases=%.2f (best of each: %d / %d msg/s CPU; target >= 0.90)\n", a / b, a, b }'
echo "== sea distance"
"$BUILD/bench/bench_searoute" 200000
