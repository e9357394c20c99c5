#!/usr/bin/env bash
# bench_detect: `sanctwatch analyze` throughput and peak memory with every detector on, beside
# the same run with --no-cases (detectors without the cases stage) and with --no-detect
# (ingest alone), in alternated rounds, on a synthetic recording of MESSAGES messages from
# VESSELS vessels (written once by bench_analyze --write, the ingest benchmark's generator:
# vessels across 20-50N 115-145E, straight legs with turns and stops, type 1 + type 5, 10%
# heard twice).
#
#   make BUILD=build && BUILD=build bench/bench_detect.sh [MESSAGES] [VESSELS]
#
# MESSAGES defaults to 5,000,000, VESSELS (or the VESSELS variable) to 100,000. When VESSELS
# is not BASE_VESSELS (default 100,000; e.g. `bench/bench_detect.sh 5000000 300000`), every
# round also runs the detectors on a recording of BASE_VESSELS vessels, and the script prints
# the ratio of the two rates (issue 17: at 300k vessels at least 80% of the rate at 100k).
# CKPT=1 adds runs with --checkpoint 1000000000 (no checkpoint before the end) of the detect
# and --no-detect configurations: the share of the detect run that checkpointing the
# detectors' state costs (detect's checkpoint cost minus ingest's, over detect's CPU time).
# HALF=1 ends with a run on half the messages (memory must not grow with the input).
# FLEET=1 runs on the recordings of the figures measured before 2026-12-07 (bench/fleet.h:
# 43% of the vessels with an unallocated MID, each an identity_fraud event); default 2.
# build/bench/state_sizes prints the bytes of state per vessel behind the RSS figures.
#
# Rates are messages per CPU second (user + system from /usr/bin/time) because the machine
# is shared; wall seconds are printed for reference. maxrss_kb is the peak resident set.
# REPEAT (default 3) rounds; every run is printed, then the best (the least disturbed run)
# and the median of each configuration, and the load average at the start and the end.
set -eu
BUILD=${BUILD:-build}
N=${1:-5000000}
V=${2:-${VESSELS:-100000}}
BASE_V=${BASE_VESSELS:-100000}
REPEAT=${REPEAT:-3}
FLEET=${FLEET:-2} # bench/fleet.h
BIN=$BUILD/sanctwatch
GEN=$BUILD/bench/bench_analyze
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
D=${BENCH_DIR:-/tmp/sanctwatch-bench-detect}
mkdir -p "$D"
rec() { # messages vessels: the recording's path, written when absent
    local f="$D/rec-$1-$2-f$FLEET.nmea"
    [ -f "$f" ] || "$GEN" --write "$f" --messages "$1" --vessels "$2" --fleet "$FLEET" >/dev/null
    echo "$f"
}
F=$(rec "$N" "$V")
FB=
[ "$V" != "$BASE_V" ] && FB=$(rec "$N" "$BASE_V")

declare -A RATES RSS
run() { # label file args...
    local label=$1 f=$2; shift 2
    rm -f "$D/b.db" "$D/b.db-wal" "$D/b.db-shm" "$D/b.db-writer.lock"
    /usr/bin/time -f "%U %S %e %M" -o "$D/time" "$BIN" analyze -q --db "$D/b.db" "$@" "$f"
    read -r u s e m <"$D/time"
    local msgs cpu rate
    msgs=$(sqlite3 "$D/b.db" "SELECT json_extract(counters,'\$.messages') FROM ingest_runs ORDER BY id DESC LIMIT 1")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    rate=$(awk -v m="$msgs" -v c="$cpu" 'BEGIN { printf "%.0f", m / c }')
    printf "RESULT %-13s messages=%s cpu_s=%s (%s user + %s sys) wall_s=%s msgs_per_cpu_s=%s maxrss_kb=%s\n" \
        "$label" "$msgs" "$cpu" "$u" "$s" "$e" "$rate" "$m"
    RATES[$label]="${RATES[$label]:-} $rate"
    RSS[$label]="${RSS[$label]:-} $m"
    LAST=$rate
}

echo "== $N messages from $V vessels ($F), $REPEAT rounds; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$REPEAT"); do
    echo "-- round $r"
    run detect "$F" --events "$D/events.jsonl"
    det=$LAST
    run no-cases "$F" --no-cases --events /dev/null
    run no-detect "$F" --no-detect
    nod=$LAST
    awk -v a="$det" -v b="$nod" 'BEGIN { printf "round: detect/no-detect=%.2f\n", a / b }'
    if [ -n "$FB" ]; then
        run "detect-${BASE_V}" "$FB" --events /dev/null
        awk -v a="$det" -v b="$LAST" -v v="$V" -v w="$BASE_V" \
            'BEGIN { printf "round: detect %d vessels / %d vessels=%.2f\n", v, w, a / b }'
    fi
    if [ "${CKPT:-0}" = 1 ]; then
        run detect-1ckpt "$F" --events /dev/null --checkpoint 1000000000
        run no-detect-1ckpt "$F" --no-detect --checkpoint 1000000000
    fi
done
echo "events: $(wc -l <"$D/events.jsonl") ($(jq -r .type "$D/events.jsonl" 2>/dev/null | sort | uniq -c | tr '\n' ' '))"
echo "== summary ($REPEAT rounds; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
declare -A BEST MED
for label in $(printf '%s\n' "${!RATES[@]}" | sort); do
    sorted=$(printf '%s\n' ${RATES[$label]} | sort -n)
    n=$(echo "$sorted" | wc -l)
    BEST[$label]=$(echo "$sorted" | tail -1)
    MED[$label]=$(echo "$sorted" | sed -n "$(((n + 1) / 2))p")
    peak=$(printf '%s\n' ${RSS[$label]} | sort -n | tail -1)
    awk -v l="$label" -v b="${BEST[$label]}" -v m="${MED[$label]}" -v p="$peak" \
        'BEGIN { printf "SUMMARY %-15s best %9d msg/s (CPU)  median %9d  peak RSS %6.1f MiB\n", l, b, m, p / 1024 }'
done
ratio() { # what a b c d: best a/b, median c/d
    awk -v w="$1" -v a="$2" -v b="$3" -v c="$4" -v d="$5" \
        'BEGIN { printf "RATIO %s: best %.2f, median %.2f\n", w, a / b, c / d }'
}
ratio detect/no-detect "${BEST[detect]}" "${BEST[no-detect]}" "${MED[detect]}" "${MED[no-detect]}"
ratio no-cases/no-detect "${BEST[no-cases]}" "${BEST[no-detect]}" "${MED[no-cases]}" "${MED[no-detect]}"
if [ -n "$FB" ]; then
    k=detect-$BASE_V
    ratio "detect at $V vessels / at $BASE_V (target >= 0.80)" "${BEST[detect]}" "${BEST[$k]}" "${MED[detect]}" "${MED[$k]}"
fi
if [ "${CKPT:-0}" = 1 ]; then
    # CPU seconds per message that the checkpoints cost: 1/rate - 1/rate without them
    awk -v d="${MED[detect]}" -v d1="${MED[detect-1ckpt]}" -v n="${MED[no-detect]}" -v n1="${MED[no-detect-1ckpt]}" 'BEGIN {
        dc = 1 / d - 1 / d1; nc = 1 / n - 1 / n1
        printf "CHECKPOINTS (medians): %.1f%% of the detect run, %.1f%% of the no-detect run; the stages'"'"' state %.1f%% of the detect run (target < 5%%)\n", 100 * dc * d, 100 * nc * n, 100 * (dc - nc) * d
    }'
fi
if [ "${HALF:-0}" = 1 ]; then
    echo "== $((N / 2)) messages (memory check)"
    run half "$(rec $((N / 2)) "$V")" --events /dev/null
fi
