#!/usr/bin/env bash
# Crash safety of the ledger: 'ledger append' (signing a head in every batch's transaction) is
# SIGKILLed at random moments, at least 50 times; after every kill the checker ('ledger
# verify --db', a full audit) must find the events, leaves, stored tree state and every
# recorded signed head consistent, and no event recorded before may be lost. Re-running the
# append (idempotent by event id) finally records every event exactly once.
set -u
BIN=${SW_BIN:?}
T=$(mktemp -d /tmp/swledger-kill.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
N=${SW_KILL_EVENTS:-20000}
KILLS=${SW_KILLS:-50}
"$BIN" ledger keygen --key k --name kill.test/log >/dev/null || exit 1
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":\"k%06d\",\"type\":\"ais_gap\",\"start\":\"2024-03-01T06:20:00Z\",\"end\":\"2024-03-02T06:20:00Z\",\"vessels\":[{\"mmsi\":%d}],\"details\":{\"gap_h\":%d.5,\"note\":\"kill loop event %d\"}}\n", i, 412000000 + i, i % 48, i }' >ev.jsonl
RANDOM=42
kills=0 runs=0 prev=0 fail=0
while [ "$kills" -lt "$KILLS" ] && [ "$runs" -lt $((KILLS * 4)) ]; do
    runs=$((runs + 1))
    "$BIN" ledger append --db t.db --key k --batch 50 ev.jsonl >/dev/null 2>run.err &
    pid=$!
    # 5 to 250 ms: lands in opening, migrating, appending, signing or committing.
    sleep "0.$(printf '%03d' $((5 + RANDOM % 245)))"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    if [ "$rc" -eq 137 ]; then kills=$((kills + 1)); elif [ "$rc" -ne 0 ]; then
        echo "FAIL: append exited with $rc"; cat run.err; fail=1; break
    fi
    # Killed before it created the database (a slow start on a loaded machine): nothing was
    # recorded, so nothing can be lost.
    if [ ! -e t.db ] && [ "$prev" -eq 0 ]; then continue; fi
    # The invariant, checked from scratch after every restart.
    if ! out=$("$BIN" ledger verify --pub k.pub --db t.db 2>&1); then
        echo "FAIL: after kill $kills: $out"; fail=1; break
    fi
    have=$(sqlite3 t.db "SELECT count(*) FROM events" 2>/dev/null || echo "$prev")
    if [ "$have" -lt "$prev" ]; then echo "FAIL: events lost ($prev -> $have)"; fail=1; break; fi
    prev=$have
    if [ "$have" -ge "$N" ]; then # all recorded: start over so later kills land mid-append
        mv t.db done.db; rm -f t.db-wal t.db-shm; prev=0
        echo "NOTE: log completed after $kills kills; starting a fresh one"
    fi
done
[ "$fail" -eq 0 ] || exit 1
if [ "$kills" -lt "$KILLS" ]; then echo "FAIL: only $kills SIGKILLs landed in $runs runs"; exit 1; fi
# Finish: every event exactly once, and the final log verifies against its last head.
"$BIN" ledger append --db t.db --key k ev.jsonl >/dev/null || { echo "FAIL: final append"; exit 1; }
"$BIN" ledger head --db t.db --key k --out final.txt || exit 1
"$BIN" ledger verify --pub k.pub --db t.db --head final.txt >/dev/null || { echo "FAIL: final audit"; exit 1; }
count=$(sqlite3 t.db "SELECT count(*), count(DISTINCT id), max(leaf) + 1 FROM events")
[ "$count" = "$N|$N|$N" ] || { echo "FAIL: expected $N events once each, got $count"; exit 1; }
heads=$(sqlite3 t.db "SELECT count(*) FROM ledger_heads")
echo "RESULT: $kills SIGKILLs in $runs runs of 'ledger append'; invariant held after each; $N events recorded once, $heads signed heads all match"
