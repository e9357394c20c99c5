#!/usr/bin/env bash
# Must-show 5: hostile input is counted, bounded in memory and never crashes: endless lines,
# binary garbage, never-ending multi-part groups, timestamps in 1970 and 2100, MMSI 0,
# coordinates out of range or "not available", and the same in a CSV export.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 - "$T" <<'PY' || fail "generator"
import os, random, sys
out = sys.argv[1]
random.seed(3)
def cks(s):
    c = 0
    for ch in s:
        c ^= ord(ch)
    return '%02X' % c
def armour(bits):
    bits += '0' * (-len(bits) % 6)
    return ''.join(chr(v + 48 if v < 40 else v + 56) for v in (int(bits[i:i + 6], 2) for i in range(0, len(bits), 6)))
def u(v, n):
    return format(v & ((1 << n) - 1), '0%db' % n)
def type1(mmsi, lat, lon):
    b = u(1, 6) + u(0, 2) + u(mmsi, 30) + u(0, 4) + u(128, 8) + u(50, 10) + u(1, 1)
    b += u(int(round(lon * 600000)), 28) + u(int(round(lat * 600000)), 27) + u(900, 12) + u(511, 9)
    b += u(10, 6) + u(0, 2) + u(0, 3) + u(0, 1) + u(0, 19)
    return armour(b)
def line(payload, t, rx='rH'):
    tag = 's:%s,c:%d' % (rx, t)
    body = 'AIVDM,1,1,,A,%s,0' % payload
    return '\\%s*%s\\!%s*%s\n' % (tag, cks(tag), body, cks(body))
T0 = 1709251200
n = {'good': 0, 'old': 0, 'future': 0, 'mmsi0': 0, 'range': 0, 'na': 0, 'groups': 0}
with open(out + '/hostile.nmea', 'wb') as f:
    for i in range(2000):
        f.write(line(type1(412000000 + i % 50, 30 + i * 1e-4, 124), T0 + i).encode()); n['good'] += 1
    f.write(b'!AIVDM,1,1,,A,' + b'1' * (5 << 20) + b'\n')          # a 5 MB line
    f.write(os.urandom(1 << 20) + b'\n')                               # binary garbage, NULs too
    for i in range(20000):                                             # groups that never end
        seq = i % 10
        frag = 1 if i % 3 == 0 else 2 + i % 7
        body = 'AIVDM,9,%d,%d,%s,%s,0' % (frag, seq, 'AB'[i % 2], type1(412000001, 30, 124))
        f.write(('!%s*%s\n' % (body, cks(body))).encode()); n['groups'] += 1
    for i in range(500):
        f.write(line(type1(412000100 + i, 30, 124), i).encode()); n['old'] += 1           # 1970
        f.write(line(type1(412000200 + i, 30, 124), 4102444800 + i).encode()); n['future'] += 1  # 2100
        f.write(line(type1(0, 30, 124), T0 + 3000 + i).encode()); n['mmsi0'] += 1
        f.write(line(type1(412000300 + i, 100 + i * 0.01, 200), T0 + 3000 + i).encode()); n['range'] += 1
        f.write(line(type1(412000400 + i, 91, 181), T0 + 3000 + i).encode()); n['na'] += 1
    f.write(b'!AIVDM,1,1,,A,' + b'5' * (3 << 20))                      # endless line at EOF
with open(out + '/counts', 'w') as f:
    for k, v in n.items():
        f.write('%s=%d\n' % (k, v))
with open(out + '/hostile.csv', 'w') as f:
    f.write('MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass\n')
    f.write('367379190,2022-01-03T00:00:00,30.37,-88.56,0,336.2,511,EAGLE,IMO8207721,WTD4583,31,0,28,11,3.3,52,A\n')
    f.write('0,2022-01-03T00:00:01,30.37,-88.56,0,0,511,ZERO,,,,,,,,,A\n')
    f.write('367379191,1970-01-01T00:00:01,30.37,-88.56,0,0,511,OLD,,,,,,,,,A\n')
    f.write('367379192,2100-01-01T00:00:01,30.37,-88.56,0,0,511,FUTURE,,,,,,,,,A\n')
    f.write('367379193,2022-01-03T00:00:02,95,-88.56,0,0,511,RANGE,,,,,,,,,A\n')
    f.write('367379194,2022-01-03T00:00:03,91,181,0,0,511,NA,,,,,,,,,A\n')
    f.write('367379195,' + 'X' * (2 << 20) + '\n')
    f.write(','.join(['1'] * 100) + '\n')
    f.write('\x00\x01\x02garbage\xff\n')
PY
. "$T/counts"
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
/usr/bin/time -f %M -o "$T/rss" "$SW_BIN" analyze -q --db "$T/h.db" "$T/hostile.csv" "$T/hostile.nmea" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$T/err"; fail "analyze exited $rc"; }
rss=$(cat "$T/rss")
echo "RESULT: hostile input: exit 0, peak RSS $((rss / 1024)) MB"
# Sanitizer builds carry shadow memory: allow more there.
lim=$((300 * 1024)); case "$SW_BUILD" in *san*) lim=$((900 * 1024)) ;; esac
[ "$rss" -lt "$lim" ] || fail "peak RSS ${rss} kB"
c() { counter "$T/h.db" "$1"; }
[ "$(c time_out_of_range)" -eq $((old + future + 2)) ] || fail "time_out_of_range $(c time_out_of_range) != $((old + future + 2))"
[ "$(c bad_mmsi)" -eq $((mmsi0 + 1)) ] || fail "bad_mmsi $(c bad_mmsi)"
[ "$(c position_out_of_range)" -eq $((range + 1)) ] || fail "position_out_of_range $(c position_out_of_range)"
[ "$(c position_unavailable)" -eq $((na + 1)) ] || fail "position_unavailable $(c position_unavailable)"
[ "$(c line_too_long)" -ge 3 ] || fail "line_too_long $(c line_too_long)"
[ "$(c nmea_too_long)" -ge 2 ] || fail "nmea_too_long"
[ "$(($(c nmea_incomplete) + $(c nmea_orphan) + $(c nmea_evicted)))" -eq "$groups" ] || fail "unfinished groups not all counted"
[ "$(c bad_row)" -ge 2 ] || fail "bad_row $(c bad_row)"
[ "$(c late)" -eq 0 ] || fail "a 2100 timestamp made records late"
sum=$(sqlite3 "$T/h.db" "SELECT SUM(j.value) FROM ingest_runs r, json_each(r.counters) j WHERE j.key LIKE 'nmea_%' AND r.id=(SELECT MAX(id) FROM ingest_runs)")
[ "$sum" -eq $(($(c lines) - $(wc -l <"$T/hostile.csv"))) ] || fail "framer line reasons $sum do not add up to the NMEA lines"
[ "$(sqlite3 "$T/h.db" "SELECT COUNT(*) FROM vessels WHERE mmsi=0 OR mmsi>999999999")" -eq 0 ] || fail "MMSI 0 stored"
[ "$(sqlite3 "$T/h.db" "SELECT COUNT(*) FROM track WHERE abs(lat)>90 OR abs(lon)>180")" -eq 0 ] || fail "bad coordinates stored"
[ "$(sqlite3 "$T/h.db" "SELECT COUNT(*) FROM vessels")" -eq 53 ] || fail "vessels: $(sqlite3 "$T/h.db" "SELECT COUNT(*) FROM vessels") != 53 (50 good; EAGLE; the RANGE and NA rows keep their names)"
echo "RESULT: every hostile line and record is counted under its reason; nothing bad reaches the state"
exit 0
