#!/usr/bin/env bash
# The service goes on from a store that analyze made as analyze itself would (docs/serve.md:
# "the state, the detectors' open episodes and the ledger carry over exactly as from one
# analyze run to the next"). Simulated seed 5, 48 h in two daily files: day 1 analyzed, then
# day 2 fed to `serve` as a file, gives the same events (ids and content) as day 1 then day 2
# through analyze. Regression: serve ran the detectors without the cases stage, so the saved
# stages did not fit and started afresh: every vessel's first fix of day 2 was an AIS gap from
# day 1 (99,000 ais_gap events on bench/serve.sh's store) and identity_fraud came out again.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 absent"; exit 77; }
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
SW=$SW_BIN
"$SW" simulate --seed 5 --hours 48 --split-hours 24 --out s.nmea --truth t.json >/dev/null 2>&1 ||
    fail "simulate"
[ -s s.nmea.000 ] && [ -s s.nmea.001 ] || fail "no daily files"
"$SW" analyze -q --db a.db s.nmea.000 >/dev/null 2>a.err || fail "analyze day 1: $(cat a.err)"
cp a.db b.db
"$SW" analyze -q --db a.db s.nmea.001 >/dev/null 2>a.err || fail "analyze day 2: $(cat a.err)"

"$SW" serve --db b.db --listen 127.0.0.1:0 --port-file port --quiet --feed "$T/s.nmea.001" \
    >/dev/null 2>s.err &
SRV=$!
done=0
for _ in $(seq 1200); do
    kill -0 "$SRV" 2>/dev/null || fail "serve ended: $(cat s.err)"
    n=$(sqlite3 b.db "SELECT count(*) FROM ingest_runs WHERE status = 'done'" 2>/dev/null)
    [ "${n:-0}" -ge 2 ] && done=1 && break
    sleep 0.1
done
[ "$done" -eq 1 ] || fail "serve did not finish the day-2 file in 120 s"
kill "$SRV"
wait "$SRV" 2>/dev/null
SRV=

q="SELECT id, json FROM events ORDER BY id"
sqlite3 a.db "$q" >want.txt || fail "read a.db"
sqlite3 b.db "$q" >got.txt || fail "read b.db"
nw=$(wc -l <want.txt)
[ "$nw" -gt 50 ] || fail "only $nw event records from analyze"
if ! diff -q want.txt got.txt >/dev/null; then
    echo "analyze day 1 + analyze day 2: $nw records; + serve day 2: $(wc -l <got.txt)"
    diff <(cut -d'|' -f1 want.txt) <(cut -d'|' -f1 got.txt) | head -10
    fail "the events after serve differ from analyze's"
fi
gaps=$(sqlite3 b.db "SELECT count(*) FROM events WHERE type = 'ais_gap'")
echo "RESULT serve on day 2 after analyze on day 1: $nw event records ($gaps ais_gap), the same ids and content as analyze on both days"
