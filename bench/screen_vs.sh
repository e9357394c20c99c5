#!/usr/bin/env bash
# Screening speed of this build beside another commit's, in the same run: builds REV
# (default main) in a scratch worktree under /tmp, imports the full UN and OFAC lists of
# ../shared once into a store both read, then runs bench_screen of each alternately REPEAT
# (default 3) times with the same queries, and prints every round. Figures are CPU time of
# the querying thread (wall clock on a shared machine also counts other processes' time).
# Usage: bench/screen_vs.sh [REV] [QUERIES]   (BUILD=build-x to pick this tree's build)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
REV=${1:-main} QUERIES=${2:-100000} REPEAT=${REPEAT:-3}
SH=${SW_SHARED:-$ROOT/../shared}/data/sanctions
[ -x "$ROOT/$BUILD/bench/bench_screen" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
[ -d "$SH" ] || { echo "shared sanctions absent at $SH" >&2; exit 1; }
W=$(mktemp -d /tmp/sanctwatch-screen-vs.XXXXXX)
trap 'git -C "$ROOT" worktree remove --force "$W/tree" >/dev/null 2>&1; rm -rf "$W"' EXIT
git -C "$ROOT" worktree add --detach "$W/tree" "$REV" >/dev/null 2>&1
make -C "$W/tree" -s -j2 build/bench/bench_screen >/dev/null
"$ROOT/$BUILD/sanctwatch" lists import --db "$W/lists.db" "$SH/un/un_sc_consolidated_2026-02-27.xml" >/dev/null
"$ROOT/$BUILD/sanctwatch" lists import --db "$W/lists.db" "$SH/ofac/sdn_2024-05-03.csv" \
    "$SH/ofac/add_2025-02-27.csv" "$SH/ofac/alt_2025-02-27.csv" "$SH/ofac/sdn_comments_2025-02-27.csv" >/dev/null
echo "this tree: $(git -C "$ROOT" rev-parse --short HEAD), other: $REV ($(git -C "$W/tree" rev-parse --short HEAD)); $QUERIES queries"
for r in $(seq "$REPEAT"); do
    for side in other this; do
        dir=$ROOT bin=$ROOT/$BUILD/bench/bench_screen
        [ $side = other ] && dir=$W/tree bin=$W/tree/build/bench/bench_screen
        echo "== round $r $side"
        (cd "$dir" && "$bin" --db "$W/lists.db" --queries "$QUERIES" | grep -E 'throughput|latency \(CPU')
    done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
