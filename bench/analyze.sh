#!/usr/bin/env bash
# Benchmark of `sanctwatch analyze` (decode, dedup, order, state, store) on a synthetic
# recording: 5M messages from 100k vessels by default. Runs the in-process benchmark
# (bench_analyze: messages/s by wall and CPU time, peak RSS) and then the CLI itself under
# /usr/bin/time for its peak RSS (--no-detect: the ingest path alone; the detectors are
# measured by their own benchmark). Usage: bench/analyze.sh [MESSAGES] [VESSELS]
# Needs a built tree: BUILD=build (default) or another build directory.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
N=${1:-5000000} V=${2:-100000}
F=/tmp/sw-bench-$N-$V.nmea
"$ROOT/$BUILD/bench/bench_analyze" --messages "$N" --vessels "$V" --file "$F"
DB=$(mktemp -u /tmp/sw-bench-cli-XXXXXX.db)
/usr/bin/time -f "cli: %e s wall, %U s user, %S s sys, peak RSS %M kB" \
    "$ROOT/$BUILD/sanctwatch" analyze -q --no-detect --db "$DB" "$F"
echo "cli: $(sqlite3 "$DB" "SELECT COUNT(*) FROM vessels") vessels, $(sqlite3 "$DB" "SELECT COUNT(*) FROM track") track points"
rm -f "$DB" "$DB-wal" "$DB-shm"
