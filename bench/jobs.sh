#!/usr/bin/env bash
# bench/jobs.sh: `analyze --jobs 1` against `analyze --jobs 2` (the stages on a second thread,
# docs/ingest.md "Two threads") with every detector and the cases stage, in alternated rounds,
# on a synthetic recording of MESSAGES messages from VESSELS vessels (bench_analyze --write, as
# bench/bench_detect.sh uses).
#
#   make BUILD=build && BUILD=build bench/jobs.sh [MESSAGES] [VESSELS]
#
# MESSAGES defaults to 5,000,000 and VESSELS to 100,000 (issue 14: --jobs 2 at least 1.7x the
# messages per wall second of --jobs 1 on this 2-core machine). Per run: wall seconds, CPU
# seconds (user + system), messages per wall second, and for --jobs 2 the CPU seconds of each
# thread (A: reading, framing, decoding, ordering, dedup, the vessel state, checkpoints and the
# end of the run; B: the stages, the store's writes; S: the part of A spent with B idle, the
# state load, checkpoints and the end of the run). Then per round the ratio of the rates
# (jobs2/jobs1), the median ratio, the best of each, and the bound the split puts on the
# speedup on two free cores: (A + B) / (S + max(A - S, B)). Wall-clock rates need the two
# cores free: the load average at the start and the end is printed beside them (the machine is
# shared; at a load near 2 or above the second thread waits for a core and the ratio says
# little). REPEAT (default 3) rounds.
set -eu
BUILD=${BUILD:-build}
N=${1:-5000000}
V=${2:-${VESSELS:-100000}}
REPEAT=${REPEAT:-3}
BIN=$BUILD/sanctwatch
GEN=$BUILD/bench/bench_analyze
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
D=${BENCH_DIR:-/tmp/sanctwatch-bench-jobs}
mkdir -p "$D"
FLEET=${FLEET:-2} # bench/fleet.h
F="$D/rec-$N-$V-f$FLEET.nmea"
[ -f "$F" ] || "$GEN" --write "$F" --messages "$N" --vessels "$V" --fleet "$FLEET" >/dev/null
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

run() { # jobs: prints a RESULT line; sets RATE and, for --jobs 2, TA TB
    local j=$1
    rm -f "$D/b.db" "$D/b.db-wal" "$D/b.db-shm" "$D/b.db-writer.lock"
    /usr/bin/time -f "%U %S %e %M" -o "$D/time" "$BIN" analyze --jobs "$j" --db "$D/b.db" "$F" \
        2>"$D/err" || { cat "$D/err" >&2; exit 1; }
    read -r u s e m <"$D/time"
    local msgs cpu load split=""
    msgs=$(sqlite3 "$D/b.db" "SELECT json_extract(counters,'\$.messages') FROM ingest_runs ORDER BY id DESC LIMIT 1")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    RATE=$(awk -v m="$msgs" -v w="$e" 'BEGIN { printf "%.0f", m / w }')
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ "$j" -ge 2 ]; then
        read -r TA TS TB < <(sed -n 's/.*CPU seconds: \([0-9.]*\) reading.*of which \([0-9.]*\) with.*, \([0-9.]*\) stages.*/\1 \2 \3/p' "$D/err")
        split=" thread_a_cpu_s=$TA (of which serial $TS) thread_b_cpu_s=$TB"
    fi
    printf "RESULT jobs=%s messages=%s wall_s=%s cpu_s=%s msgs_per_wall_s=%s msgs_per_cpu_s=%s maxrss_kb=%s load1=%s%s\n" \
        "$j" "$msgs" "$e" "$cpu" "$RATE" "$(awk -v m="$msgs" -v c="$cpu" 'BEGIN { printf "%.0f", m / c }')" \
        "$m" "$load" "$split"
}

R1=() R2=() RATIOS=() BOUNDS=()
for i in $(seq 1 "$REPEAT"); do
    run 1
    a=$RATE
    run 2
    b=$RATE
    R1+=("$a") R2+=("$b")
    RATIOS+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')")
    # one thread's CPU over the two threads' critical path: the serial part, then the larger
    # of A's streaming part and B
    BOUNDS+=("$(awk -v x="$TA" -v s="$TS" -v y="$TB" 'BEGIN { a = x - s; m = a > y ? a : y; printf "%.2f", (x + y) / (s + m) }')")
    echo "round $i: jobs2/jobs1 = ${RATIOS[-1]} (the thread split allows ${BOUNDS[-1]})"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
best() { printf '%s\n' "$@" | sort -g | tail -1; }
echo "SUMMARY jobs1 msgs_per_wall_s best=$(best "${R1[@]}") median=$(median "${R1[@]}")"
echo "SUMMARY jobs2 msgs_per_wall_s best=$(best "${R2[@]}") median=$(median "${R2[@]}")"
echo "SUMMARY ratio jobs2/jobs1 median=$(median "${RATIOS[@]}") (target 1.7); bound from the thread split median=$(median "${BOUNDS[@]}")"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
