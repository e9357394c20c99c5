#!/usr/bin/env bash
# A consumer that stops delivering while the stream grows must not end a worker as idle.
# Seen once in CI: after a cluster node was killed, the worker's consumer answered "nothing
# waiting" for 15 s while the stream stored 35,000 messages more, and --idle-exit ended the
# worker 35,000 messages short. Here the same state is made on one server: the worker, caught
# up with a first file, has its durable consumer replaced under it by one of another subject
# (it delivers nothing and counts nothing waiting), then a second file is fed. The worker must
# see that the stream holds messages after the last one it received (docs/bus.md, "The
# worker"), make its consumer again, and take every message before it ends idle: its final
# position is the stream's last message and it applied each message once.
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT
JS="python3 $SW_ROOT/tests/bus/jsdump.py $NATS_PORT"
DUR=sanctwatch-AIS-0-255
filter() { $JS consumer AIS "$DUR" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("config") or {}).get("filter_subject", ""))'; }

"$SW_BIN" simulate --seed 3 --hours 24 --vessels 10 --out "$T/sim.nmea" --truth "$T/sim.json" 2>/dev/null || fail "simulate"
split -n l/2 -d "$T/sim.nmea" "$T/part"
"$SW_BIN" feed -q --bus "$BUS" "$T/part00" || fail "feed of the first half"
first=$(stream_msgs AIS)
"$SW_BIN" analyze --db "$T/w.db" --events "$T/w.ev" --checkpoint 2000 --idle-exit 20 "$BUS" 2>"$T/w.err" &
wpid=$!
NATS_PIDS+=("$wpid")
for _ in $(seq 1 600); do
    [ "$(pos "$T/w.db")" = "$first" ] && break
    kill -0 "$wpid" 2>/dev/null || { cat "$T/w.err"; fail "the worker ended before it took the first half"; }
    sleep 0.05
done
[ "$(pos "$T/w.db")" = "$first" ] || fail "the worker did not take the first half ($first messages)"
# the worker's consumer replaced by one that delivers nothing; made again until it stays (the
# worker may notice the deletion itself and make its own again meanwhile). The worker is idle
# meanwhile, rightly (the stream holds nothing more): its --idle-exit 20 leaves time for this
# and the second feed on a slow (sanitizer) build.
for _ in $(seq 1 20); do
    $JS replace-consumer AIS "$DUR" ais.raw.none || fail "replace the consumer"
    sleep 1.2
    [ "$(filter)" = ais.raw.none ] && break
done
[ "$(filter)" = ais.raw.none ] || fail "the consumer could not be replaced: the test did not test"
kill -0 "$wpid" 2>/dev/null || { cat "$T/w.err"; fail "the worker ended before the second half was fed"; }
"$SW_BIN" feed -q --bus "$BUS" "$T/part01" || fail "feed of the second half"
total=$(stream_msgs AIS)
wait "$wpid"; rc=$?
[ $rc = 0 ] || { cat "$T/w.err"; fail "worker exit $rc"; }
resets=$(sed -n 's/^ *bus_consumer_resets *\([0-9]*\)$/\1/p' "$T/w.err")
applied=$(sed -n 's/^analyze: bus: [0-9]* received, \([0-9]*\) applied.*/\1/p' "$T/w.err")
[ "$(pos "$T/w.db")" = "$total" ] || { cat "$T/w.err"; fail "the worker ended idle at position $(pos "$T/w.db"), the stream holds $total messages"; }
[ "$applied" = "$total" ] || { cat "$T/w.err"; fail "$applied messages applied, not $total once each"; }
[ "${resets:-0}" -ge 1 ] || fail "no consumer reset counted"
echo "RESULT: a consumer that delivered nothing while the stream grew by $((total - first)) messages was made again ($resets resets); the worker took all $total messages once and ended at the stream's last"
