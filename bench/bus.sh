#!/usr/bin/env bash
# bench/bus.sh: what the NATS JetStream bus costs (docs/bus.md), beside the same analysis read
# from the file in the same run. On a synthetic recording of MESSAGES messages from VESSELS
# vessels (bench_analyze --write, as bench/jobs.sh uses) and a private nats-server (-js, file
# storage, loopback, stopped at the end):
#   file      `analyze --jobs 1 FILE`: the baseline;
#   jobs2     `analyze --jobs 2 FILE` (docs/ingest.md, "Two threads"), beside it;
#   feed      `feed --bus` of the file into the stream;
#   worker 1  one worker (every partition) reading the stream into its own database;
#   worker 2  two workers at once (partitions 0-127 and 128-255), each into its own database.
#             Their pairwise detectors do not see pairs across the two halves (docs/bus.md):
#             a throughput figure, not an equivalence.
# Per run: wall and CPU seconds (user + system) of sanctwatch and of nats-server (from
# /proc/PID/stat over the run), messages per wall second and per CPU second. A worker's wall
# time ends with its --idle-exit wait (5 s), which is taken off before its rate is computed;
# a worker that did not take the whole stream stops the bench with a message.
# Then the bus's cost per message in microseconds of CPU: publishing (feed's CPU over the
# file's reading, which feed shares with analyze, is not separated: feed's whole CPU), the
# server storing, and consuming (the worker's CPU over the file run's, and the server's while
# the worker reads). The load average at start and end is printed beside the figures (the
# machine is shared: wall rates need its two cores free).
#
#   make BUILD=build && BUILD=build bench/bus.sh [MESSAGES] [VESSELS]
#
# MESSAGES defaults to 5,000,000 and VESSELS to 100,000 (issue 14). The stream of 5M messages
# takes about 1.5 GB in a temporary directory under BENCH_DIR.
set -eu
BUILD=${BUILD:-build}
N=${1:-5000000}
V=${2:-${VESSELS:-100000}}
BIN=$BUILD/sanctwatch
GEN=$BUILD/bench/bench_analyze
[ -x "$BIN" ] && [ -x "$GEN" ] || { echo "build first: make BUILD=$BUILD" >&2; exit 1; }
command -v nats-server >/dev/null || { echo "nats-server absent (scripts/deps.sh installs it)" >&2; exit 1; }
D=${BENCH_DIR:-/tmp/sanctwatch-bench-bus}
mkdir -p "$D"
FLEET=${FLEET:-2} # bench/fleet.h
F="$D/rec-$N-$V-f$FLEET.nmea"
[ -f "$F" ] || "$GEN" --write "$F" --messages "$N" --vessels "$V" --fleet "$FLEET" >/dev/null
T=$(mktemp -d "$D/run.XXXXXX")
# the bus tests' server: nats_start, stream_msgs; nats_cleanup stops it and removes $T (run
# without set -e: the server's exit status of SIGTERM would end it before the removal)
. "$(dirname "$0")/../tests/bus/lib_nats.sh"
trap 'set +e; nats_cleanup' EXIT
TICK=$(getconf CLK_TCK)
IDLE=5
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# the server's CPU seconds so far (user + system)
srv_cpu() { awk -v t="$TICK" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$SRV/stat"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }'; }
us() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.2f", c * 1e6 / n }'; }
# timed NAME CMD...: runs CMD under /usr/bin/time into $T/time.NAME
timed() {
    local k=$1
    shift
    /usr/bin/time -f "%U %S %e %M" -o "$T/time.$k" "$@"
}
# cpu_of NAME: user + system of timed run NAME; wall_of NAME; rss_of NAME
cpu_of() { awk '{ printf "%.2f", $1 + $2 }' "$T/time.$1"; }
wall_of() { awk '{ print $3 }' "$T/time.$1"; }
rss_of() { awk '{ print $4 }' "$T/time.$1"; }
# whole NAME DB: a worker must have taken the whole stream, or its figures are of a part: an
# --idle-exit that ended it early (a fetch stalled longer on a loaded machine) stops the bench
whole() {
    local p
    p=$(sqlite3 "$2" "SELECT lines FROM ingest_inputs WHERE input LIKE 'nats:%'")
    [ "$p" = "$STORED" ] && return
    echo "bench/bus.sh: $1 ended at stream position ${p:-none} of $STORED (--idle-exit $IDLE too short at load $(cut -d' ' -f1 /proc/loadavg)): its figures would be of a part of the stream" >&2
    exit 1
}
row() { # NAME MESSAGES WALL CPU SERVER_CPU MAXRSS
    printf "RESULT %-9s messages=%s wall_s=%s cpu_s=%s msgs_per_wall_s=%s msgs_per_cpu_s=%s server_cpu_s=%s maxrss_kb=%s load1=%s\n" \
        "$1" "$2" "$3" "$4" "$(div "$2" "$3")" "$(div "$2" "$4")" "$5" "$6" "$(cut -d' ' -f1 /proc/loadavg)"
}

# ---- file: the baseline
timed file "$BIN" analyze -q --jobs 1 --db "$T/file.db" "$F"
MSGS=$(sqlite3 "$T/file.db" "SELECT json_extract(counters,'\$.messages') FROM ingest_runs ORDER BY id DESC LIMIT 1")
FILE_CPU=$(cpu_of file)
row file "$MSGS" "$(wall_of file)" "$FILE_CPU" - "$(rss_of file)"
rm -f "$T"/file.db*
timed jobs2 "$BIN" analyze -q --jobs 2 --db "$T/jobs2.db" "$F"
row jobs2 "$MSGS" "$(wall_of jobs2)" "$(cpu_of jobs2)" - "$(rss_of jobs2)"
rm -f "$T"/jobs2.db*

# ---- the server
nats_start -js
SRV=${NATS_PIDS[0]}
BUS=nats://127.0.0.1:$NATS_PORT

# ---- feed
s0=$(srv_cpu)
timed feed "$BIN" feed -q --bus "$BUS" "$F"
FEED_SRV=$(sub "$(srv_cpu)" "$s0")
FEED_CPU=$(cpu_of feed)
STORED=$(stream_msgs AIS)
row feed "$STORED" "$(wall_of feed)" "$FEED_CPU" "$FEED_SRV" "$(rss_of feed)"

# ---- one worker
s0=$(srv_cpu)
timed w1 "$BIN" analyze -q --db "$T/w1.db" --idle-exit $IDLE "$BUS"
W1_SRV=$(sub "$(srv_cpu)" "$s0")
W1_CPU=$(cpu_of w1)
W1_WALL=$(sub "$(wall_of w1)" $IDLE)
whole worker1 "$T/w1.db"
row worker1 "$STORED" "$W1_WALL" "$W1_CPU" "$W1_SRV" "$(rss_of w1)"

# ---- two workers at once
s0=$(srv_cpu)
timed w2a "$BIN" analyze -q --db "$T/w2a.db" --partitions 0-127 --idle-exit $IDLE "$BUS" &
pa=$!
timed w2b "$BIN" analyze -q --db "$T/w2b.db" --partitions 128-255 --idle-exit $IDLE "$BUS" &
pb=$!
wait "$pa"
wait "$pb"
W2_SRV=$(sub "$(srv_cpu)" "$s0")
W2_CPU=$(awk -v a="$(cpu_of w2a)" -v b="$(cpu_of w2b)" 'BEGIN { printf "%.2f", a + b }')
whole "worker 0-127" "$T/w2a.db"
whole "worker 128-255" "$T/w2b.db"
W2_WALL=$(awk -v a="$(wall_of w2a)" -v b="$(wall_of w2b)" -v i=$IDLE 'BEGIN { printf "%.2f", (a > b ? a : b) - i }')
row worker2 "$STORED" "$W2_WALL" "$W2_CPU" "$W2_SRV" "$(rss_of w2a)+$(rss_of w2b)"

echo "SUMMARY msgs_per_wall_s file=$(div "$MSGS" "$(wall_of file)") jobs2=$(div "$MSGS" "$(wall_of jobs2)") worker1=$(div "$STORED" "$W1_WALL") worker2=$(div "$STORED" "$W2_WALL") (worker2/worker1 $(awk -v a="$W1_WALL" -v b="$W2_WALL" 'BEGIN { printf "%.2f", a / b }'))"
echo "SUMMARY bus_us_per_message publish: feed $(us "$FEED_CPU" "$STORED") + server $(us "$FEED_SRV" "$STORED"); consume: worker over file $(us "$(sub "$W1_CPU" "$FILE_CPU")" "$STORED") + server $(us "$W1_SRV" "$STORED"); two workers: over file $(us "$(sub "$W2_CPU" "$FILE_CPU")" "$STORED") + server $(us "$W2_SRV" "$STORED")"
echo "SUMMARY stream store: $(du -sm "$T"/nats.* | cut -f1) MB for $STORED messages"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
