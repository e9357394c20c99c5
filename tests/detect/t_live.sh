#!/usr/bin/env bash
# Must-show 3: batch and live give the same events. A simulated scenario is analysed once from
# the file and once from a TCP feed (a small server sends the same lines in uneven chunks with
# pauses, as a receiver would); the two events files must be identical line for line
# (ids, times, details, evidence, ledger leaves).
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent (test TCP server)"; exit 77; }
T=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)"); trap 'rm -rf "$T"; [ -n "${SRV:-}" ] && kill "$SRV" 2>/dev/null' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$SW_BIN" simulate --seed 11 --hours 30 --out "$T/s.nmea" --truth "$T/s.json" 2>/dev/null || fail "simulate"
"$SW_BIN" analyze -q --db "$T/batch.db" --events "$T/batch.jsonl" "$T/s.nmea" || fail "batch analyze"

# The feed: serve the file once to the first client, in chunks, then close and stop.
python3 - "$T/s.nmea" "$T/port" <<'PY' &
import socket, sys, time, random
data = open(sys.argv[1], 'rb').read()
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 0)); s.listen(1)
open(sys.argv[2] + '.tmp', 'w').write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])
s.settimeout(60)
c, _ = s.accept()
s.close()
rnd = random.Random(5)
i = 0
while i < len(data):
    n = rnd.randint(1, 64 * 1024)   # chunks cut lines anywhere
    c.sendall(data[i:i + n]); i += n
    if rnd.random() < 0.05:
        time.sleep(0.05)
c.shutdown(socket.SHUT_WR); time.sleep(0.5); c.close()
PY
SRV=$!
for _ in $(seq 100); do [ -f "$T/port" ] && break; sleep 0.1; done
[ -f "$T/port" ] || fail "test server did not start"
PORT=$(cat "$T/port")
"$SW_BIN" analyze -q --db "$T/live.db" --idle-exit 3 --events "$T/live.jsonl" "tcp://127.0.0.1:$PORT" ||
    fail "live analyze"
wait "$SRV" 2>/dev/null; SRV=

nb=$(wc -l <"$T/batch.jsonl"); nl=$(wc -l <"$T/live.jsonl")
echo "NOTE: batch $nb events, live $nl events"
[ "$nb" -gt 20 ] || fail "too few events to compare ($nb)"
diff -u "$T/batch.jsonl" "$T/live.jsonl" >"$T/diff" || { head -20 "$T/diff"; fail "batch and live events differ"; }
for ty in encounter loitering ais_gap port_call position_spoof identity_change; do
    grep -q "\"type\":\"$ty\"" "$T/batch.jsonl" || fail "no $ty event in the scenario to compare"
done
echo "ok: $nb identical events"
