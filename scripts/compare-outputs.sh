#!/usr/bin/env bash
# Snapshot of what a build prints, to show that a change left behaviour as it was: run it on
# the build before and the build after, then compare the two folders with 'diff -r'.
#   decode   every file of ../shared/data/ais/real and ../shared/data/ais/peer-tests and of
#            every fuzz corpus (tests/fuzz/corpus/*/), in six modes: FILE, --unscaled FILE,
#            --lenient FILE, stdin, gzip on stdin, gzip on stdin --lenient: stdout, stderr and
#            the exit status of each
#   analyze  each real NMEA recording and simulated scenarios (simulate --seed 1..SEEDS):
#            analyze --events, its stdout, stderr, exit status, the events file and a dump of
#            the database (wall-clock times of runs and migrations masked)
# The inputs always come from this tree and ../shared, so both snapshots read the same files.
# Usage: scripts/compare-outputs.sh BUILD_DIR OUT_DIR      (e.g. /tmp/old/build out-old)
#        PARTS=analyze (or decode) limits it to one of the two
#        scripts/compare-outputs.sh --diff OLD_BUILD NEW_BUILD   (both, then diff -r; exit 1
#                                                                 when they differ)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SW_SHARED:-$ROOT/../shared}
SEEDS=${SEEDS:-3}
PARTS=${PARTS:-decode analyze} # either or both

if [ "${1:-}" = "--diff" ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --diff OLD_BUILD NEW_BUILD" >&2; exit 2; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    "$0" "$2" "$tmp/old"
    "$0" "$3" "$tmp/new"
    if diff -r "$tmp/old" "$tmp/new" >"$tmp/diff"; then
        echo "compare-outputs: identical ($(find "$tmp/new" -type f | wc -l) outputs)"
        exit 0
    fi
    head -50 "$tmp/diff"
    echo "compare-outputs: DIFFERENT ($(grep -c '^diff\|^Only' "$tmp/diff") files)"
    exit 1
fi
[ $# -eq 2 ] || { echo "usage: $0 BUILD_DIR OUT_DIR" >&2; exit 2; }
BIN=$(cd "$1" && pwd)/sanctwatch
OUT=$2
[ -x "$BIN" ] || { echo "no sanctwatch in $1" >&2; exit 1; }
[ -d "$SHARED/data/ais" ] || { echo "shared data absent at $SHARED" >&2; exit 1; }
mkdir -p "$OUT/decode" "$OUT/analyze"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# run NAME CMD...: stdout, stderr and exit status of CMD into $OUT/NAME.{out,err,rc}
run() {
    local name=$1; shift
    set +e
    "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
    echo $? >"$OUT/$name.rc"
    set -e
}

n=0
[[ " $PARTS " == *" decode "* ]] && while IFS= read -r f; do
    n=$((n + 1))
    key=$(printf '%s' "${f#"$ROOT"/}" | tr '/' '_')
    key=decode/$(printf '%03d' "$n")-${key#*shared_}
    run "$key.plain" "$BIN" decode "$f"
    run "$key.unscaled" "$BIN" decode --unscaled "$f"
    run "$key.lenient" "$BIN" decode --lenient "$f"
    run "$key.stdin" sh -c "'$BIN' decode - <'$f'"
    run "$key.gzstdin" sh -c "gzip -c '$f' | '$BIN' decode"
    run "$key.gzlenient" sh -c "gzip -c '$f' | '$BIN' decode --lenient -"
done < <( (find "$SHARED/data/ais/real" "$SHARED/data/ais/peer-tests" -type f | LC_ALL=C sort
           find "$ROOT/tests/fuzz/corpus" -type f | LC_ALL=C sort) )

# dump DB: the database as SQL, wall-clock times (runs, migrations) masked, and the blobs of
# the saved vessel and detector states (ingest_state_log, ingest_carry) reduced to their
# length: on main (e936cfb) two runs of one build on one input already differ there (sim seed
# 1: 275 of 135,499 bytes of ingest_state_log; the DMA recording: ingest_carry's detector
# state), bytes of the saved records that are never set, so those blobs cannot be compared
dump() {
    sqlite3 "$1" .dump |
        sed -E "/^INSERT INTO (schema_migrations|ingest_runs) /s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z'/'T'/g" |
        awk '/^INSERT INTO (ingest_state_log|ingest_carry) / {
                 out = ""
                 while (match($0, /X\047[0-9A-Fa-f]*\047/)) {
                     out = out substr($0, 1, RSTART - 1) "blob of " (RLENGTH - 3) / 2 " bytes"
                     $0 = substr($0, RSTART + RLENGTH)
                 }
                 $0 = out $0
             } { print }'
}
OUT=$(cd "$OUT" && pwd)
[[ " $PARTS " == *" analyze "* ]] || { echo "compare-outputs: $(find "$OUT" -type f | wc -l) outputs of $BIN in $OUT"; exit 0; }
analyze() { # in $work, with relative names, so that no path differs between two snapshots
    local name=$1; shift
    rm -f "$work/db"* "$work/events"
    (cd "$work" && run "analyze/$name" "$BIN" analyze --db db --events events "$@")
    cp "$work/events" "$OUT/analyze/$name.events"
    dump "$work/db" >"$OUT/analyze/$name.sql"
}
for f in "$SHARED"/data/ais/real/*/*.txt "$SHARED"/data/ais/real/*/*.csv; do
    analyze "$(basename "$(dirname "$f")")-$(basename "$f")" "$f"
done
analyze all-real "$SHARED"/data/ais/real/*/*.txt "$SHARED"/data/ais/real/*/*.csv
for seed in $(seq "$SEEDS"); do
    "$BIN" simulate --seed "$seed" --out "$work/sim.nmea" --truth "$work/truth.json" 2>/dev/null
    analyze "sim-seed$seed" sim.nmea
done
echo "compare-outputs: $(find "$OUT" -type f | wc -l) outputs of $BIN in $OUT"
