#!/usr/bin/env bash
# Must-show 3: live inputs on loopback. A feeder on 127.0.0.1 replays a recording:
#  - over TCP at 100k messages/s, the database equals the one from ingesting the file;
#  - over UDP (one datagram per line, paced and then a burst as fast as possible), every line
#    sent is either ingested or counted as dropped by the kernel (udp_dropped): never silent.
# Bounded: 200k lines, loopback only, live inputs end after 3 s without data.
set -u
. "$SW_ROOT/tests/lib/scratch.sh" # T, PIDS, fail
GEN=$SW_BUILD/bench/bench_analyze
[ -x "$GEN" ] || fail "no $GEN"
"$GEN" --write "$T/rec.nmea" --messages 200000 --vessels 4000 --seed 11 || fail "generate"
LINES=$(wc -l <"$T/rec.nmea")
state() {
    sqlite3 "$1" "SELECT * FROM vessels ORDER BY mmsi; SELECT * FROM identity_history ORDER BY mmsi, seq;
                  SELECT * FROM track ORDER BY mmsi, t; SELECT * FROM aids ORDER BY mmsi;"
}
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
"$SW_BIN" analyze -q --db "$T/file.db" "$T/rec.nmea" || fail "file run"
state "$T/file.db" >"$T/file.state"

# ---- TCP: the feeder listens, analyze connects.
python3 - "$T/rec.nmea" "$T/port" "$T/tcp.rate" <<'PY' &
import socket, sys, time
lines = open(sys.argv[1], 'rb').read().splitlines(keepends=True)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(1)
srv.settimeout(60)
open(sys.argv[2] + '.tmp', 'w').write(str(srv.getsockname()[1]))
import os; os.rename(sys.argv[2] + '.tmp', sys.argv[2])
c, _ = srv.accept()
rate, chunk = 100000, 1000          # messages per second, lines per send
t0 = time.monotonic()
for i in range(0, len(lines), chunk):
    c.sendall(b''.join(lines[i:i + chunk]))
    ahead = t0 + (i + chunk) / rate - time.monotonic()
    if ahead > 0:
        time.sleep(ahead)
el = time.monotonic() - t0
c.close()
open(sys.argv[3], 'w').write('%d lines in %.2f s: %.0f lines/s\n' % (len(lines), el, len(lines) / el))
PY
PIDS+=($!)
for i in $(seq 1 100); do [ -f "$T/port" ] && break; sleep 0.1; done
[ -f "$T/port" ] || fail "TCP feeder did not start"
"$SW_BIN" analyze -q --idle-exit 3 --db "$T/tcp.db" "tcp://127.0.0.1:$(cat "$T/port")" || fail "tcp run"
wait "${PIDS[0]}" || fail "TCP feeder failed"
echo "NOTE: TCP feeder sent $(cat "$T/tcp.rate")"
[ "$(counter "$T/tcp.db" lines)" -eq "$LINES" ] || fail "TCP: $(counter "$T/tcp.db" lines) of $LINES lines arrived"
[ "$(counter "$T/tcp.db" messages)" -eq "$(counter "$T/file.db" messages)" ] || fail "TCP: messages differ"
[ "$(counter "$T/tcp.db" reconnects)" -ge 1 ] || fail "TCP: no connection counted"
state "$T/tcp.db" >"$T/tcp.state"
diff -q "$T/file.state" "$T/tcp.state" >/dev/null || fail "TCP database differs from the file-ingested one"
echo "RESULT: TCP at 100k msg/s: all $LINES lines arrived; database equals the file-ingested one ($(wc -l <"$T/file.state") rows)"

# ---- UDP: analyze listens, the feeder sends one line per datagram.
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SW_BIN" analyze -q --idle-exit 15 --db "$T/udp.db" "udp://127.0.0.1:$PORT" &
APID=$!
PIDS+=($APID)
hexport=$(printf '%04X' "$PORT")
for i in $(seq 1 100); do grep -q ":$hexport " /proc/net/udp && break; sleep 0.1; done
grep -q ":$hexport " /proc/net/udp || fail "UDP listener did not start"
python3 - "$T/rec.nmea" "$PORT" "$T/udp.sent" <<'PY' || fail "UDP feeder"
import socket, sys, time
lines = [l for l in open(sys.argv[1], 'rb').read().splitlines() if l]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ('127.0.0.1', int(sys.argv[2]))
sent = 0
half = len(lines) // 2
t0 = time.monotonic()
for i, l in enumerate(lines[:half]):          # paced at 100k/s
    s.sendto(l + b'\n', dst)
    sent += 1
    if i % 1000 == 999:
        ahead = t0 + (i + 1) / 100000 - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
for l in lines[half:]:                         # then a burst, as fast as possible
    while True:
        try:
            s.sendto(l + b'\n', dst)
            sent += 1
            break
        except BlockingIOError:
            pass
open(sys.argv[3], 'w').write(str(sent))
PY
wait "$APID" || fail "udp run"
sent=$(cat "$T/udp.sent")
got=$(counter "$T/udp.db" lines); dropped=$(counter "$T/udp.db" udp_dropped)
echo "RESULT: UDP: sent $sent datagrams, received $got lines, kernel dropped $dropped (counted)"
[ $((got + dropped)) -eq "$sent" ] || fail "UDP: received $got + dropped $dropped != sent $sent: silent loss"
[ "$(sqlite3 "$T/udp.db" "SELECT COUNT(*) FROM vessels")" -gt 0 ] || fail "UDP: no vessels"

# ---- UDP with a stalled reader (SIGSTOP while 50k datagrams arrive): loss must be counted.
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SW_BIN" analyze -q --idle-exit 3 --db "$T/udp2.db" "udp://127.0.0.1:$PORT" &
APID=$!
PIDS+=($APID)
hexport=$(printf '%04X' "$PORT")
for i in $(seq 1 100); do grep -q ":$hexport " /proc/net/udp && break; sleep 0.1; done
kill -STOP "$APID"
python3 - "$T/rec.nmea" "$PORT" "$T/udp2.sent" <<'PY' || fail "UDP feeder 2"
import socket, sys
lines = [l for l in open(sys.argv[1], 'rb').read().splitlines() if l][:50000]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for l in lines:
    s.sendto(l + b'\n', ('127.0.0.1', int(sys.argv[2])))
open(sys.argv[3], 'w').write(str(len(lines)))
PY
kill -CONT "$APID"
wait "$APID" || fail "udp run 2"
sent=$(cat "$T/udp2.sent")
got=$(counter "$T/udp2.db" lines); dropped=$(counter "$T/udp2.db" udp_dropped)
echo "RESULT: UDP with the reader stopped: sent $sent, received $got, dropped $dropped (counted)"
[ "$dropped" -gt 0 ] || fail "UDP: no loss although the reader was stopped"
[ $((got + dropped)) -eq "$sent" ] || fail "UDP: received $got + dropped $dropped != sent $sent: silent loss"
exit 0
