#!/usr/bin/env bash
# The worker on hostile messages published straight to the stream (docs/bus.md, "The
# worker"): missing or malformed headers, an MMSI of another partition or not the body's, junk
# and NUL bodies, an oversized body, unknown formats, CSV without its header. Each is counted
# under its name, the run goes on (the good messages around them are applied) and exits 0.
# SIGTERM ends a worker cleanly (exit 0, all it took committed). Then the errors: no server,
# no stream, a stream of other partitions or subjects (exit 1), usage (exit 2).
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT

# the stream, made by feed from one good sentence
GOOD='!AIVDM,1,1,,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*4E'
printf '\\s:r1,c:1700000000*%s\\%s\n' "$(python3 -c 'import functools;print("%02X"%functools.reduce(lambda a,c:a^ord(c),"s:r1,c:1700000000",0))')" "$GOOD" >"$T/one.nmea"
"$SW_BIN" feed -q --bus "$BUS" "$T/one.nmea" || fail "feed"
python3 - "$GOOD" >"$T/hostile.jsonl" <<'PY'
import json, sys
good = sys.argv[1]
def part(mmsi, n=256):
    M = 0xffffffffffffffff
    x = (mmsi + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return (x ^ (x >> 31)) % n
payload = good.split(',')[5]
bits = ''.join(format((ord(c) - 48) - 8 * (ord(c) - 48 > 40), '06b') for c in payload[:7])
mmsi = int(bits[8:38], 2)
other = next(m for m in range(200000000, 200100000) if part(m) == part(mmsi) and m != mmsi)
far = next(m for m in range(200000000, 200100000) if part(m) != part(mmsi))
H = {'Sw-Mmsi': str(mmsi), 'Sw-Time': '1700000100000', 'Sw-Time-Src': 'tagblock', 'Sw-Format': 'nmea'}
def msg(counter, body=good, subject='ais.raw.%d' % part(mmsi), drop=(), **hdr):
    h = {k: v for k, v in H.items() if k not in drop}
    h.update({k.replace('_', '-'): v for k, v in hdr.items()})
    print(json.dumps({'subject': subject, 'headers': h, 'data': body, 'expect': counter}))
msg('bad_header', drop=('Sw-Mmsi',))
msg('bad_header', Sw_Mmsi='12x')
msg('bad_header', Sw_Mmsi='99999999999999999999')
msg('bad_header', Sw_Time='17e11')
msg('bad_header', Sw_Time_Src='moon')
msg('bad_header', drop=('Sw-Time-Src',))
msg('bad_header', Sw_Receiver='%zz')
msg('bad_header', subject='ais.raw.x')
msg('bad_header', subject='ais.raw.999')
msg('bad_format', drop=('Sw-Format',))
msg('bad_format', Sw_Format='xml')
msg('bad_format', Sw_Format='marinecadastre')  # no Sw-Csv-Header
msg('bad_format', Sw_Format='aisdk', Sw_Csv_Header='a,b,c', body='1,2,3')
msg('wrong_partition', Sw_Mmsi=str(far))
msg('mmsi_mismatch', Sw_Mmsi=str(other))
msg('no_frame', body='junk, not NMEA')
msg('no_frame', body='!AIVDM,1,1,,A,15Mg\x00K45P3,0*4E')
msg('no_frame', body='')
msg('no_frame', body='!AIVDM,2,1,7,A,15MgK45P3@G?fl0E`JbR0OwT0@MS,0*7E')  # half a message
msg('oversized', body='!' * 20000)
msg('applied', Sw_Time='1700000200000')
msg('applied', Sw_Time='1700000300000', Sw_Receiver='r%25x%0A')
PY
python3 "$SW_ROOT/tests/bus/jsdump.py" "$NATS_PORT" pub AIS "$T/hostile.jsonl" || fail "publish"
"$SW_BIN" analyze --db "$T/h.db" --events "$T/h.ev" --idle-exit 1 "$BUS" 2>"$T/h.err"
rc=$?
[ "$rc" = 0 ] || { cat "$T/h.err"; fail "exit $rc on hostile messages"; }
python3 - "$T/hostile.jsonl" "$T/h.err" <<'PY' || { cat "$T/h.err"; exit 1; }
import collections, json, re, sys
want = collections.Counter(json.loads(l)['expect'] for l in open(sys.argv[1]))
want['applied'] += 1  # feed's own message
err = open(sys.argv[2]).read()
got = {k: int(v) for k, v in re.findall(r'^  bus_(\w+)\s+(\d+)$', err, re.M)}
m = re.search(r'^analyze: bus: (\d+) received, (\d+) applied', err, re.M)
got['applied'] = int(m.group(2))
for k, v in want.items():
    if got.get(k, 0) != v:
        sys.exit('FAIL: %s: %d counted, %d published' % (k, got.get(k, 0), v))
if int(m.group(1)) != sum(want.values()):
    sys.exit('FAIL: %s received, %d published' % (m.group(1), sum(want.values())))
print('RESULT: %d hostile messages counted as published (%s), the %d good ones applied, exit 0' % (
    sum(v for k, v in want.items() if k != 'applied'),
    ', '.join('%s %d' % kv for kv in sorted(want.items()) if kv[0] != 'applied'), want['applied']))
PY
# the good messages reached the vessel picture: one vessel, three positions, receiver decoded
[ "$(sqlite3 "$T/h.db" 'SELECT count(*) FROM vessels')" = 1 ] || fail "vessels: $(sqlite3 "$T/h.db" 'SELECT count(*) FROM vessels')"
grep -q '^  accepted *3$' "$T/h.err" || { cat "$T/h.err"; fail "not 3 records accepted"; }

# SIGTERM ends a worker without --idle-exit as it ends a live input: what was taken is
# committed and acknowledged, exit 0
"$SW_BIN" analyze --db "$T/s.db" "$BUS" 2>"$T/s.err" &
pid=$!
for _ in $(seq 1 100); do
    [ "$(sqlite3 "$T/s.db" "SELECT lines FROM ingest_inputs WHERE input LIKE 'nats:%'" 2>/dev/null)" = 23 ] && break
    sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" = 0 ] && grep -q "^analyze: bus: 23 received, 3 applied, .* after sequence 0 up to 23" "$T/s.err" ||
    { cat "$T/s.err"; fail "SIGTERM: exit $rc"; }
echo "RESULT: SIGTERM: the worker commits what it took (sequence 23) and exits 0"

# errors: exit 1 with the reason, usage errors exit 2
expect() { # STATUS PATTERN ARGS...
    local st=$1 pat=$2; shift 2
    "$SW_BIN" analyze -q --db "$T/e.db" --idle-exit 1 "$@" 2>"$T/e.err"
    local rc=$?
    [ "$rc" = "$st" ] && grep -q "$pat" "$T/e.err" || { cat "$T/e.err"; fail "analyze $*: exit $rc, wanted $st and '$pat'"; }
}
fp=$(free_port)
expect 1 "cannot connect to 'nats://127.0.0.1:$fp'" "nats://127.0.0.1:$fp"
expect 1 "no stream 'NOPE'" --stream NOPE "$BUS"
expect 1 "not partitioned as asked" --partition-count 32 "$BUS"
expect 1 "does not take subjects" --subject other.raw "$BUS"
expect 2 "bad value '5-3' for --partitions" --partitions 5-3 "$BUS"
expect 2 "bad value '1-x' for --partitions" --partitions 1-x "$BUS"
expect 2 "bad value '32' for --partitions (a range A-B" --partitions 32 "$BUS"
expect 1 "partitions '0-300' are not a range of the stream's 256" --partitions 0-300 "$BUS"
echo "RESULT: no server, no stream, other partitions or subjects: exit 1 with the reason; bad --partitions: exit 2"
