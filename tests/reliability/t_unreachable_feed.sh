#!/usr/bin/env bash
# A live feed that cannot be reached is an error, never a quiet "0 vessels" (issue 17, item 7):
#   - tcp:// to a refused port and to a host that does not resolve (a name under .invalid,
#     RFC 6761) exit 1 at once with the system's or the resolver's reason;
#   - beside a file, the file is still ingested and the exit status is still 1;
#   - a feed that answers, drops, and comes back is reconnected (docs/ingest.md): every line
#     sent arrives, reconnects counts both connections, exit 0.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
. "$SW_ROOT/tests/lib/scratch.sh" # T, PIDS, fail
cd "$T" || exit 1
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
"$SW_BIN" simulate --seed 5 --hours 24 --vessels 8 --out s.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
LINES=$(wc -l <s.nmea)

# A port nothing listens on: bound to take a free number, then closed.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start=$(date +%s)
"$SW_BIN" analyze -q --idle-exit 30 --db refused.db "tcp://127.0.0.1:$PORT" >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "refused port: exit $rc: $(cat err.txt)"
grep -q "cannot connect to 'tcp://127.0.0.1:$PORT': Connection refused" err.txt ||
    fail "refused port: $(cat err.txt)"
[ $(($(date +%s) - start)) -lt 20 ] || fail "refused port: waited for --idle-exit instead of failing"
echo "ok refused port: $(head -1 err.txt)"

"$SW_BIN" analyze -q --idle-exit 30 --db unknown.db "tcp://sanctwatch-feed.invalid:5631" \
    >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "unknown host: exit $rc: $(cat err.txt)"
grep -q "cannot connect to 'tcp://sanctwatch-feed.invalid:5631': cannot resolve 'sanctwatch-feed.invalid': " err.txt ||
    fail "unknown host: $(cat err.txt)"
echo "ok unknown host: $(head -1 err.txt)"

"$SW_BIN" analyze -q --db mixed.db s.nmea "tcp://127.0.0.1:$PORT" >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "file and refused feed: exit $rc"
[ "$(counter mixed.db lines)" -eq "$LINES" ] || fail "file beside a refused feed not ingested"
echo "ok a file beside a refused feed is ingested, exit 1"

# A feed that drops after half the lines and listens again a second later.
python3 - s.nmea port <<'PY' &
import os, socket, sys, time
lines = open(sys.argv[1], 'rb').read().splitlines(keepends=True)
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
port = srv.getsockname()[1]
srv.listen(1)
srv.settimeout(60)
open(sys.argv[2] + '.tmp', 'w').write(str(port))
os.rename(sys.argv[2] + '.tmp', sys.argv[2])
half = len(lines) // 2
c, _ = srv.accept()
c.sendall(b''.join(lines[:half]))
c.close()
srv.close()
time.sleep(1)                      # down for a second: refused meanwhile
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port))
srv.listen(1)
srv.settimeout(60)
c, _ = srv.accept()
c.sendall(b''.join(lines[half:]))
c.close()
PY
PIDS+=($!)
for _ in $(seq 100); do [ -f port ] && break; sleep 0.1; done
[ -f port ] || fail "feeder did not start"
"$SW_BIN" analyze -q --idle-exit 4 --db drop.db "tcp://127.0.0.1:$(cat port)" >/dev/null 2>err.txt ||
    fail "feed that drops: $(cat err.txt)"
wait "${PIDS[0]}" || fail "feeder failed"
[ "$(counter drop.db lines)" -eq "$LINES" ] || fail "feed that drops: $(counter drop.db lines) of $LINES lines"
[ "$(counter drop.db reconnects)" -eq 2 ] || fail "feed that drops: reconnects $(counter drop.db reconnects)"
echo "ok a feed that dropped and came back: all $LINES lines, 2 connections, exit 0"
echo "RESULT unreachable feeds fail with their reason; a dropped feed is reconnected"
