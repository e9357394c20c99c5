#!/usr/bin/env bash
# Benchmark of `sanctwatch analyze` (decode, dedup, order, state, store) on a synthetic
# recording: 5M messages from 100k vessels by default. Runs the in-process benchmark
# (bench_analyze: messages/s by wall and CPU time, peak RSS) and the CLI itself under
# /usr/bin/time for its peak RSS (--no-detect: the ingest path alone; the detectors are
# measured by their own benchmark), alternately, REPEAT times each (default 3): a run moves
# by 10-30% from one to the next on a shared VM, so every run is printed and the best of
# each is summed up at the end. Usage: [REPEAT=N] bench/analyze.sh [MESSAGES] [VESSELS]
# Needs a built tree: BUILD=build (default) or another build directory.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
REPEAT=${REPEAT:-3}
N=${1:-5000000} V=${2:-100000}
FLEET=${FLEET:-2} # bench/fleet.h
F=/tmp/sw-bench-$N-$V-f$FLEET.nmea
[ -f "$F" ] || "$ROOT/$BUILD/bench/bench_analyze" --write "$F" --messages "$N" --vessels "$V" --fleet "$FLEET"
OUT=$(mktemp -d /tmp/sw-bench-analyze-XXXXXX)
trap 'rm -rf "$OUT"' EXIT
for r in $(seq 1 "$REPEAT"); do
    echo "== round $r of $REPEAT"
    "$ROOT/$BUILD/bench/bench_analyze" --messages "$N" --vessels "$V" --file "$F" | tee "$OUT/b$r"
    DB="$OUT/cli.db"
    /usr/bin/time -o "$OUT/t$r" -f "%e %U %S %M" \
        "$ROOT/$BUILD/sanctwatch" analyze -q --no-detect --db "$DB" "$F"
    read -r wall user sys rss <"$OUT/t$r"
    echo "cli: $wall s wall, $user s user, $sys s sys, peak RSS $rss kB:" \
        "$(awk -v n="$N" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", n / (u + s) }') messages/s (cpu)"
    echo "cli: $(sqlite3 "$DB" "SELECT COUNT(*) FROM vessels") vessels, $(sqlite3 "$DB" "SELECT COUNT(*) FROM track") track points"
    rm -f "$DB" "$DB-wal" "$DB-shm"
done
echo "== best of $REPEAT (least CPU time)"
best=$(for r in $(seq 1 "$REPEAT"); do
    echo "$(sed -n 's/.*cpu \([0-9.]*\) s:.*/\1/p' "$OUT/b$r") $r"
done | sort -n | head -1 | cut -d' ' -f2)
grep -E "messages/s|peak RSS" "$OUT/b$best" | sed 's/^ */bench_analyze: /'
awk -v n="$N" '{ printf "%.2f %s %s %s\n", $2 + $3, $2, $3, $4 }' "$OUT"/t* | sort -n | head -1 |
    awk -v n="$N" '{ printf "cli: %.2f s cpu (%s user + %s sys): %.0f messages/s (cpu), peak RSS %.1f MB\n", $1, $2, $3, n / $1, $4 / 1024 }'
