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
# BASE=DIR adds the rows struct-base and json-base: the same two runs with the binaries of
# another build (say, the commit before a change, built in a scratch worktree), alternated
# with this build's in every round, so that a change is measured against its baseline in
# the same minutes on the same machine.
# Usage: bench/decode.sh   (BUILD=build-x to pick a build, BASE=/tmp/old/build to compare)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
BIN="$ROOT/$BUILD/sanctwatch" BENCH="$ROOT/$BUILD/bench/bench_decode"
R=${SW_SHARED:-$ROOT/../shared}/data/ais/real
TMP=${TMPDIR:-/tmp}/sanctwatch-bench-decode
[ -x "$BIN" ] && [ -x "$BENCH" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
BASE=${BASE:-}
if [ -n "$BASE" ]; then
    BASE_BIN="$BASE/sanctwatch" BASE_BENCH="$BASE/bench/bench_decode"
    [ -x "$BASE_BIN" ] && [ -x "$BASE_BENCH" ] || { echo "no baseline build in $BASE" >&2; exit 1; }
fi
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

# struct_run BENCH FILE: "messages cpu_s wall_s maxrss_kb" of one in-process run
struct_run() {
    local s
    s=$("$1" "$2" struct)
    printf '%s %s %s %s\n' "$(sed -n 's/.* decoded=\([0-9]*\).*/\1/p' <<<"$s")" \
        "$(sed -n 's/.* cpu_s=\([0-9.]*\).*/\1/p' <<<"$s")" \
        "$(sed -n 's/.* wall_s=\([0-9.]*\).*/\1/p' <<<"$s")" \
        "$(sed -n 's/.* maxrss_kb=\([0-9]*\).*/\1/p' <<<"$s")"
}
# json_run BIN FILE: "messages cpu_s maxrss_kb" of 'sanctwatch decode FILE >/dev/null'
json_run() {
    /usr/bin/time -f '%U %S %M' -o "$TMP/time" "$1" decode "$2" >/dev/null 2>"$TMP/jerr"
    printf '%s %s\n' "$(sed -n 's/.* decoded=\([0-9]*\).*/\1/p' "$TMP/jerr")" \
        "$(awk '{printf "%.3f %d", $1 + $2, $3}' "$TMP/time")"
}

REPEAT=${REPEAT:-3}
for size in 1m 2m; do
    f="$TMP/$size.nmea"
    # REPEAT rounds of the runs, interleaved; each row keeps its least CPU time (the least
    # disturbed run: single runs move by 10-40% on a shared VM), every round printed
    s_cpu=999999 j_cpu=999999 g_cpu=999999 bs_cpu=999999 bj_cpu=999999
    for r in $(seq "$REPEAT"); do
        base_line=""
        if [ -n "$BASE" ] && [ $((r % 2)) -eq 1 ]; then # the baseline first in odd rounds
            read -r bs_msgs c _ bs_rss < <(struct_run "$BASE_BENCH" "$f")
            bs_cpu=$(minf "$bs_cpu" "$c") base_line=" struct-base=$c"
            read -r bj_msgs c bj_rss < <(json_run "$BASE_BIN" "$f")
            bj_cpu=$(minf "$bj_cpu" "$c") base_line="$base_line json-base=$c"
        fi
        read -r s_msgs c s_wall s_rss < <(struct_run "$BENCH" "$f")
        s_cpu=$(minf "$s_cpu" "$c") s_r=$c
        read -r j_msgs c j_rss < <(json_run "$BIN" "$f")
        j_cpu=$(minf "$j_cpu" "$c") j_r=$c
        if [ -n "$BASE" ] && [ $((r % 2)) -eq 0 ]; then
            read -r bs_msgs c _ bs_rss < <(struct_run "$BASE_BENCH" "$f")
            bs_cpu=$(minf "$bs_cpu" "$c") base_line=" struct-base=$c"
            read -r bj_msgs c bj_rss < <(json_run "$BASE_BIN" "$f")
            bj_cpu=$(minf "$bj_cpu" "$c") base_line="$base_line json-base=$c"
        fi
        read -r c g_wall g_rss < <(run_timed "$TMP/gpsd.json" sh -c "gpsdecode -j <'$f'")
        g_msgs=$(grep -c '"class":"AIS"' "$TMP/gpsd.json")
        g_cpu=$(minf "$g_cpu" "$c")
        echo "round $r ($size): cpu_s struct=$s_r json=$j_r$base_line gpsdecode=$c"
    done
    sr=$(rate "$s_msgs" "$s_cpu") jr=$(rate "$j_msgs" "$j_cpu") gr=$(rate "$g_msgs" "$g_cpu")
    echo "== $size sentences (least CPU time of $REPEAT rounds)"
    printf 'RESULT %-11s messages=%-8s cpu_s=%-7s msgs_per_cpu_s=%-9s maxrss_kb=%s\n' \
        struct "$s_msgs" "$s_cpu" "$sr" "$s_rss" json "$j_msgs" "$j_cpu" "$jr" "$j_rss"
    if [ -n "$BASE" ]; then
        bsr=$(rate "$bs_msgs" "$bs_cpu") bjr=$(rate "$bj_msgs" "$bj_cpu")
        printf 'RESULT %-11s messages=%-8s cpu_s=%-7s msgs_per_cpu_s=%-9s maxrss_kb=%s\n' \
            struct-base "$bs_msgs" "$bs_cpu" "$bsr" "$bs_rss" json-base "$bj_msgs" "$bj_cpu" \
            "$bjr" "$bj_rss"
    fi
    printf 'RESULT %-11s messages=%-8s cpu_s=%-7s msgs_per_cpu_s=%-9s maxrss_kb=%s\n' \
        gpsdecode "$g_msgs" "$g_cpu" "$gr" "$g_rss"
    awk -v s="$sr" -v j="$jr" -v g="$gr" 'BEGIN { printf "RATIO struct/gpsdecode=%.1fx (target 50x)  json/gpsdecode=%.1fx (target 10x)\n", s / g, j / g }'
    [ -z "$BASE" ] || awk -v s="$sr" -v j="$jr" -v bs="$bsr" -v bj="$bjr" \
        'BEGIN { printf "RATIO struct/struct-base=%.3f  json/json-base=%.3f\n", s / bs, j / bj }'
    echo "wall seconds (shared machine, indicative only): struct=$s_wall gpsdecode=$g_wall"
done
rm -f "$TMP/gpsd.json"
