#!/usr/bin/env bash
# Must-show 2b: the same traffic from two receivers, shuffled within the lateness bound, gives
# the same vessel state as one receiver in order. The DMA recording (Gatehouse $PGHP times) is
# rewritten with NMEA 4.0 tag blocks: feed A (receiver rA, in order), feed AB (every message
# also heard by rB one second later) and feed AB shuffled (each message delayed by a random
# amount under half the lateness bound). The state tables must be identical.
set -u
DMA=$SW_SHARED/data/ais/real/dma-aislib/stream_example.txt
[ -f "$DMA" ] || { echo "SKIP: shared DMA recording absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
python3 - "$DMA" "$T" <<'PY' || fail "feed generation"
import calendar, random, re, sys
src, out = sys.argv[1], sys.argv[2]
def cks(s):
    c = 0
    for ch in s:
        c ^= ord(ch)
    return '%02X' % c
units, t, cur = [], None, None   # unit: (time_s, [sentences])
for line in open(src, encoding='latin-1'):
    line = line.strip()
    if line.startswith('$PGHP'):
        f = line.split(',')
        t = calendar.timegm((int(f[2]), int(f[3]), int(f[4]), int(f[5]), int(f[6]), int(f[7])))
        # Stretch the 28 s burst over ~40 min so that the lateness bound matters.
        t = 1276256770 + (t - 1276256770) * 90
        continue
    m = re.match(r'!(..)VD[MO],(\d),(\d),', line)
    if not m or t is None:
        continue
    total, num = int(m.group(2)), int(m.group(3))
    if num == 1:
        cur = (t, [line])
        units.append(cur)
    elif cur is not None:
        cur[1].append(line)
def emit(f, rx, tt, sentences):
    for s in sentences:
        tag = 's:%s,c:%d' % (rx, tt)
        f.write('\\%s*%s\\%s\n' % (tag, cks(tag), s))
with open(out + '/a.nmea', 'w') as f:
    for tt, ss in units:
        emit(f, 'rA', tt, ss)
both = []
for tt, ss in units:
    both.append((tt, 'rA', ss))
    both.append((tt + 1, 'rB', ss))
with open(out + '/ab.nmea', 'w') as f:
    for tt, rx, ss in both:
        emit(f, rx, tt, ss)
random.seed(7)
L = 600
shuffled = sorted(both, key=lambda u: u[0] + random.uniform(0, L / 2))
moved = sum(1 for i, u in enumerate(shuffled) if u is not both[i])
with open(out + '/shuf.nmea', 'w') as f:
    for tt, rx, ss in shuffled:
        emit(f, rx, tt, ss)
print('NOTE: %d messages, %d of %d arrivals out of place after shuffling' % (len(units), moved, len(both)))
PY
dump() {
    sqlite3 "$1" "SELECT * FROM vessels ORDER BY mmsi; SELECT * FROM identity_history ORDER BY mmsi, seq;
                  SELECT * FROM track ORDER BY mmsi, t; SELECT * FROM aids ORDER BY mmsi;"
}
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }
for f in a ab shuf; do
    "$SW_BIN" analyze -q --lateness 600 --db "$T/$f.db" "$T/$f.nmea" || fail "analyze $f"
    dump "$T/$f.db" >"$T/$f.dump"
done
[ "$(counter "$T/shuf.db" late)" -eq 0 ] || fail "records late although shuffled within the bound"
[ "$(counter "$T/a.db" duplicate)" -eq 0 ] || fail "duplicates in a single in-order feed"
# Every rB copy of an accepted record is a duplicate.
[ "$(counter "$T/ab.db" duplicate)" -eq "$(counter "$T/shuf.db" duplicate)" ] || fail "duplicate counts differ"
[ "$(counter "$T/ab.db" accepted)" -eq "$(counter "$T/a.db" accepted)" ] || fail "accepted differs with a second receiver"
[ "$(wc -l <"$T/a.dump")" -gt 1000 ] || fail "too little state to compare"
diff -q "$T/a.dump" "$T/ab.dump" >/dev/null || { diff "$T/a.dump" "$T/ab.dump" | head; fail "two receivers in order != one receiver"; }
diff -q "$T/a.dump" "$T/shuf.dump" >/dev/null || { diff "$T/a.dump" "$T/shuf.dump" | head; fail "shuffled != in order"; }
echo "RESULT: one receiver, two in order and two shuffled give identical state ($(wc -l <"$T/a.dump") rows); duplicates $(counter "$T/shuf.db" duplicate), late 0"
# Beyond the bound, records are late and counted (never silently lost).
"$SW_BIN" analyze -q --lateness 5 --db "$T/tight.db" "$T/shuf.nmea" || fail "analyze tight"
late=$(counter "$T/tight.db" late)
[ "$late" -gt 0 ] || fail "no late records with a 5 s bound"
acc=$(counter "$T/tight.db" accepted); dup=$(counter "$T/tight.db" duplicate)
[ $((acc + dup + late)) -eq $(($(counter "$T/shuf.db" accepted) + $(counter "$T/shuf.db" duplicate))) ] || fail "tight: records unaccounted for"
echo "RESULT: with a 5 s bound, $late late records are counted and every record is accounted for"
exit 0
