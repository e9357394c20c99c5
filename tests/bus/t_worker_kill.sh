#!/usr/bin/env bash
# The worker killed (SIGKILL) at several moments of a run over a simulated day and restarted
# with the same command each time: the final events file and the events, ledger, vessels and
# track tables equal those of the undisturbed run (nothing lost, nothing applied twice). The
# stream sequence committed with each checkpoint decides where a restarted worker resumes
# (docs/bus.md, "The worker"), whatever the consumer had been acknowledged. Last, the durable
# consumer is deleted under a finished database and the worker run again: it takes nothing
# twice (the checkpoint, not the consumer, says where it stands) and the database is unchanged
# (its events file holds only the episodes still open, published again as ongoing, as any
# analyze run without new input writes them).
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT

"$SW_BIN" simulate --seed 1 --hours 24 --vessels 20 --out "$T/sim.nmea" --truth "$T/sim.json" 2>/dev/null || fail "simulate"
"$SW_BIN" feed -q --bus "$BUS" "$T/sim.nmea" || fail "feed"
total=$(stream_msgs AIS)
worker() { exec "$SW_BIN" analyze -q --db "$1.db" --events "$1.ev" --checkpoint 5000 --idle-exit 1 "$BUS"; }
(worker "$T/calm") || fail "undisturbed run"
# --idle-exit ends a run after 1 s without a message: the reference must have taken it all
[ "$(pos "$T/calm.db")" = "$total" ] || fail "the undisturbed run ended at position $(pos "$T/calm.db"), not $total"
db_dump "$T/calm.db" >"$T/calm.dump"

# Each kill when the committed position has reached a share of the stream (the first
# checkpoint, 20 % ... 80 %, then all of it: the worker idle before its end), plus up to 0.2 s.
kills=0 mid=0
for share in 0 20 40 60 80 100; do
    (worker "$T/k") &
    pid=$!
    want=$((total * share / 100))
    for _ in $(seq 1 400); do
        p=$(pos "$T/k.db")
        [ -n "$p" ] && [ "$p" -gt 0 ] && [ "$p" -ge "$want" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    sleep "0.$((RANDOM % 3))"
    if kill -KILL "$pid" 2>/dev/null; then
        kills=$((kills + 1))
        p=$(pos "$T/k.db")
        [ -n "$p" ] && [ "$p" -gt 0 ] && [ "$p" -lt "$total" ] && mid=$((mid + 1))
        echo "NOTE: killed at ${share} %, committed position ${p:-none} of $total"
    else
        echo "NOTE: the run to ${share} % ended before its kill"
    fi
    wait "$pid" 2>/dev/null
done
(worker "$T/k") || fail "the run after the kills"
[ "$kills" -ge 4 ] && [ "$mid" -ge 3 ] || fail "only $kills kills landed, $mid between checkpoints of the stream: the test did not test"
[ "$(pos "$T/k.db")" = "$total" ] || fail "final position $(pos "$T/k.db"), not $total"
cmp -s "$T/calm.ev" "$T/k.ev" || { diff "$T/calm.ev" "$T/k.ev" | head; fail "events files differ after the kills"; }
db_dump "$T/k.db" >"$T/k.dump"
cmp -s "$T/calm.dump" "$T/k.dump" || { diff "$T/calm.dump" "$T/k.dump" | head; fail "database differs after the kills"; }
echo "RESULT: $kills kills ($mid with the run between its first and last checkpoint), then a run to the end: events ($(wc -l <"$T/k.ev")) and database equal the undisturbed run's"

# The consumer gone (or its acks lost): the checkpoint decides, nothing is applied again.
python3 "$SW_ROOT/tests/bus/jsdump.py" "$NATS_PORT" delete-consumer AIS sanctwatch-AIS-0-255 >/dev/null 2>&1 || true
"$SW_BIN" analyze --db "$T/k.db" --events "$T/again.ev" --idle-exit 1 "$BUS" 2>"$T/again.err" || { cat "$T/again.err"; fail "run again"; }
grep -q "^analyze: bus: 0 received, 0 applied, .* after sequence $total up to $total" "$T/again.err" ||
    { cat "$T/again.err"; fail "a finished worker run again took messages"; }
db_dump "$T/k.db" >"$T/again.dump"
cmp -s "$T/calm.dump" "$T/again.dump" || { diff "$T/calm.dump" "$T/again.dump" | head; fail "running again changed the database"; }
echo "RESULT: run again on the finished database: resumes after sequence $total, nothing applied twice"
