#!/usr/bin/env bash
# The cost of reading AIS from an archive beside the plain file: decode (NMEA) and analyze
# --no-detect (NMEA and the MarineCadastre CSV) on the plain file and on the same content as
# .gz (zlib), .zip, .bz2, .xz and .zst (libarchive), in CPU seconds (user + system) and
# lines per CPU second. Inputs: the real recordings of ../shared repeated to about 1M NMEA
# lines, and the MarineCadastre day (100,000 rows) repeated 5 times. Each row runs REPEAT
# (default 3) times, interleaved, and keeps its least CPU time; every round is printed.
# Usage: bench/archive.sh   (BUILD=build-x to pick a build)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD/sanctwatch"
R=${SW_SHARED:-$ROOT/../shared}/data/ais/real
TMP=${TMPDIR:-/tmp}/sanctwatch-bench-archive
REPEAT=${REPEAT:-3}
[ -x "$BIN" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
[ -d "$R" ] || { echo "real recordings absent at $R" >&2; exit 1; }
for z in zip bzip2 xz zstd gzip; do command -v $z >/dev/null || { echo "$z missing" >&2; exit 1; }; done
rm -rf "$TMP"
mkdir -p "$TMP"
cat "$R"/amsa-risky/*.txt "$R"/dma-aislib/*.txt >"$TMP/one.nmea"
: >"$TMP/ais.nmea"
while [ "$(wc -l <"$TMP/ais.nmea")" -lt 1000000 ]; do cat "$TMP/one.nmea" >>"$TMP/ais.nmea"; done
MC=$R/marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv
{ cat "$MC"; for _ in 1 2 3 4; do tail -n +2 "$MC"; done; } >"$TMP/AIS_2022_01_03.csv"
for f in ais.nmea AIS_2022_01_03.csv; do
    (cd "$TMP" && gzip -k "$f" && zip -q "$f.zip" "$f" && bzip2 -k "$f" && xz -k -T1 "$f" &&
        zstd -q "$f")
done
echo "inputs: $(wc -l <"$TMP/ais.nmea") NMEA lines, $(wc -l <"$TMP/AIS_2022_01_03.csv") CSV lines"
ls -l "$TMP" | awk 'NR > 1 && $NF != "one.nmea" {printf "  %-28s %12d bytes\n", $NF, $5}'
cpu() { # CPU seconds of a command
    /usr/bin/time -f '%U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/err" </dev/null ||
        { cat "$TMP/err" >&2; exit 1; }
    awk '{printf "%.3f", $1 + $2}' "$TMP/time"
}
declare -A best
rows=()
for r in $(seq "$REPEAT"); do
    for f in ais.nmea AIS_2022_01_03.csv; do
        for ext in "" .gz .zip .bz2 .xz .zst; do
            in="$TMP/$f$ext"
            for what in decode analyze; do
                [ "$what" = decode ] && [ "$f" != ais.nmea ] && continue
                key="$what $f$ext"
                if [ "$what" = decode ]; then
                    t=$(cpu "$BIN" decode --quiet "$in")
                else
                    rm -f "$TMP/b.db"*
                    t=$(cpu "$BIN" analyze -q --no-detect --db "$TMP/b.db" "$in")
                fi
                echo "round $r: $key ${t}s"
                [ "$r" = 1 ] && rows+=("$key")
                if [ -z "${best[$key]:-}" ] || awk -v a="$t" -v b="${best[$key]}" 'BEGIN{exit !(a<b)}'; then
                    best[$key]=$t
                fi
            done
        done
    done
done
echo
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %14s %8s\n' "run (least of $REPEAT)" "cpu s" "lines/cpu s" "x plain"
for key in "${rows[@]}"; do
    what=${key%% *} file=${key#* }
    base=${file%.gz}; base=${base%.zip}; base=${base%.bz2}; base=${base%.xz}; base=${base%.zst}
    n=$(wc -l <"$TMP/$base")
    awk -v k="$key" -v t="${best[$key]}" -v p="${best[$what $base]}" -v n="$n" \
        'BEGIN { printf "%-34s %9.3f %14.0f %8.2f\n", k, t, (t > 0 ? n / t : 0), (p > 0 ? t / p : 0) }'
done
