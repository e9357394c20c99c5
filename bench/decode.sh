#!/usr/bin/env bash
# Decode throughput beside gpsdecode. Builds /tmp files of at least 1M and 2M AIVDM/AIVDO
# sentences from the real recordings in ../shared (repeated), then measures on each:
#   struct  in-process frame + decode into structs        (bench_decode ... struct)
#   json    the CLI, 'sanctwatch decode FILE >/dev/null'  (frame + decode + JSON + write)
#   gpsd    'gpsdecode -j <FILE >/dev/null'               (Debian gpsd-clients)
# Rates are messages per CPU second (user + system) so that a loaded shared machine does not
# skew the ratios; wall seconds are printed too. Peak RSS (ru_maxrss) at 1M and 2M sentences
# shows that memory stays flat. Each row is run REPEAT (default 3) times, interleaved with the
# others, and keeps its least CPU time; every round is printed.
# Usage: bench/decode.sh   (BUILD=build-x to pick a build)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD/sanctwatch" BENCH="$ROOT/$BUILD/bench/bench_decode"
R=${SW_SHARED:-$ROOT/../shared}/data/ais/real
TMP=${TMPDIR:-/tmp}/sanctwatch-bench-decode
[ -x "$BIN" ] && [ -x "$BENCH" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
[ -d "$R" ] || { echo "real recordings absent at $R" >&2; exit 1; }
command -v gpsdecode >/dev/null || { echo "gpsdecode missing (apt-get install gpsd-clients)" >&2; exit 1; }
mkdir -p "$TMP"
cat "$R"/amsa-risky/*.txt "$R"/dma-aislib/*.txt >"$TMP/one.nmea"
per=$(grep -c 'VD[MO],' "$TMP/one.nmea")
reps=$(( (1000000 + per - 1) / per ))
: >"$TMP/1m.nmea"
for _ in $(seq "$reps"); do cat "$TMP/one.nmea" >>"$TMP/1m.nmea"; done
cat "$TMP/1m.nmea" "$TMP/1m.nmea" >"$TMP/2m.nmea"
echo "input: real recordings x$reps = $(grep -c 'VD[MO],' "$TMP/1m.nmea") sentences, $(wc -l <"$TMP/1m.nmea") lines ($TMP/1m.nmea); twice that in 2m.nmea"

# run_timed OUTFILE CMD...: prints "cpu_s wall_s maxrss_kb" of the command
run_timed() {
    local out=$1; shift
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S %M' -o "$TMP/time" "$@" >"$out" 2>"$TMP/stderr" </dev/null
    t1=$(date +%s.%N)
    awk -v t0="$t0" -v t1="$t1" '{printf "%.3f %.3f %d\n", $1 + $2, t1 - t0, $3}' "$TMP/time"
}
minf() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

REPEAT=${REPEAT:-3}
for size in 1m 2m; do
    f="$TMP/$size.nmea"
    # REPEAT rounds of the three runs, interleaved; each row keeps its least CPU time (the
    # least disturbed run: single runs move by 10-40% on a shared VM), every round printed
    s_cpu=999999 j_cpu=999999 g_cpu=999999
    for r in $(seq "$REPEAT"); do
        s=$("$BENCH" "$f" struct)
        s_msgs=$(sed -n 's/.* decoded=\([0-9]*\).*/\1/p' <<<"$s")
        c=$(sed -n 's/.* cpu_s=\([0-9.]*\).*/\1/p' <<<"$s")
        s_wall=$(sed -n 's/.* wall_s=\([0-9.]*\).*/\1/p' <<<"$s")
        s_rss=$(sed -n 's/.* maxrss_kb=\([0-9]*\).*/\1/p' <<<"$s")
        s_cpu=$(minf "$s_cpu" "$c") s_r=$c
        read -r c _ j_rss < <(/usr/bin/time -f '%U %S %M' -o "$TMP/time" "$BIN" decode "$f" >/dev/null 2>"$TMP/jerr";
            awk '{printf "%.3f 0 %d\n", $1 + $2, $3}' "$TMP/time")
        j_msgs=$(sed -n 's/.* decoded=\([0-9]*\).*/\1/p' "$TMP/jerr")
        j_cpu=$(minf "$j_cpu" "$c") j_r=$c
        read -r c g_wall g_rss < <(run_timed "$TMP/gpsd.json" sh -c "gpsdecode -j <'$f'")
        g_msgs=$(grep -c '"class":"AIS"' "$TMP/gpsd.json")
        g_cpu=$(minf "$g_cpu" "$c")
        echo "round $r ($size): cpu_s struct=$s_r json=$j_r gpsdecode=$c"
    done
    sr=$(rate "$s_msgs" "$s_cpu") jr=$(rate "$j_msgs" "$j_cpu") gr=$(rate "$g_msgs" "$g_cpu")
    echo "== $size sentences (least CPU time of $REPEAT rounds)"
    printf 'RESULT %-7s messages=%-8s cpu_s=%-7s msgs_per_cpu_s=%-9s maxrss_kb=%s\n' \
        struct "$s_msgs" "$s_cpu" "$sr" "$s_rss" json "$j_msgs" "$j_cpu" "$jr" "$j_rss" \
        gpsdecode "$g_msgs" "$g_cpu" "$gr" "$g_rss"
    awk -v s="$sr" -v j="$jr" -v g="$gr" 'BEGIN { printf "RATIO struct/gpsdecode=%.1fx (target 50x)  json/gpsdecode=%.1fx (target 10x)\n", s / g, j / g }'
    echo "wall seconds (shared machine, indicative only): struct=$s_wall gpsdecode=$g_wall"
done
rm -f "$TMP/gpsd.json"
