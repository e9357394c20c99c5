#!/usr/bin/env bash
# Timeouts follow a monotonic clock, not the wall clock (sw_time_mono_ms): a live input's
# --idle-exit must end the run after that long without data in real time, whether the wall
# clock steps forward or back meanwhile (NTP stepping a drifted clock, an operator's date -s).
# libfaketime (LD_PRELOAD, the wall clock read from a file, monotonic left alone) steps the
# wall clock of `analyze` by two hours, forward and then back, a second after its TCP feed
# fell silent. With the wall clock, the forward step ended the run at once (the idle time
# looked like two hours) and the backward step kept it waiting two hours; the test fails
# on either. It also checks that the fixes sent before the silence were stored.
set -u
. "$SW_ROOT/tests/lib/scratch.sh" # T, PIDS, fail
FT=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
if [ -z "$FT" ]; then
    echo "SKIP: libfaketime is not installed (scripts/deps.sh installs it)"
    exit 77
fi
# an ASan build lets libfaketime come first in the library list (it wraps only the clocks)
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
if ! LD_PRELOAD=$FT FAKETIME=+0 "$SW_BIN" --version >/dev/null 2>&1; then
    echo "SKIP: this build does not run under LD_PRELOAD=$FT"
    exit 77
fi
now() { date +%s.%N; } # this shell's clock: not under libfaketime

# A feed that sends a few position reports of 2 vessels, then keeps the connection open and
# silent.
"$SW_BUILD/bench/bench_analyze" --write "$T/rec.nmea" --messages 20 --vessels 2 || fail "generate"
python3 - "$T/port" "$T/rec.nmea" <<'PY' &
import socket, sys, time
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(4)
open(sys.argv[1] + ".tmp", "w").write(str(srv.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
lines = open(sys.argv[2], "rb").read().splitlines(keepends=True)
conns = []
while True:
    c, _ = srv.accept()
    for l in lines: c.sendall(l)
    conns.append(c) # held open, silent
PY
PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
[ -s "$T/port" ] || fail "the feed did not start"
PORT=$(cat "$T/port")

# run STEP: analyze with --idle-exit 4, the wall clock stepped by STEP seconds after 1 s.
run() {
    local step=$1 db=$T/run$1.db
    echo "+0" >"$T/clock"
    local t0 t1 rc
    t0=$(now)
    LD_PRELOAD=$FT FAKETIME_TIMESTAMP_FILE=$T/clock FAKETIME_NO_CACHE=1 \
        FAKETIME_DONT_FAKE_MONOTONIC=1 \
        timeout 60 "$SW_BIN" analyze -q --db "$db" --idle-exit 4 "tcp://127.0.0.1:$PORT" \
        2>"$T/err$step" &
    local pid=$!
    sleep 1
    echo "$step" >"$T/clock"
    wait "$pid"
    rc=$?
    t1=$(now)
    local took
    took=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    echo "NOTE: wall clock stepped by $step s: analyze ended after $took s (rc $rc)"
    [ "$rc" -eq 0 ] || { cat "$T/err$step"; fail "step $step: exit $rc (124: still waiting at 60 s)"; }
    awk -v t="$took" 'BEGIN { exit !(t >= 3.5) }' ||
        fail "step $step: --idle-exit 4 ended the run after $took s"
    [ "$(sqlite3 "$db" "SELECT COUNT(*) FROM vessels")" = 2 ] || fail "step $step: the 2 vessels were not stored"
}
run +7200
run -7200
echo "PASS"
