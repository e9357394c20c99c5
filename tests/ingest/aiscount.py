#!/usr/bin/env python3
"""Independent count of what an AIS NMEA recording holds, for the ingest tests.

Written apart from the C code (its own de-armouring, checksum and reassembly), it prints
JSON: distinct vessel MMSIs (position reports with a valid position, or static reports),
and message counts by kind. Usage: aiscount.py FILE...  (files read in order, as analyze does)
"""
import json
import re
import sys

POS = {1, 2, 3, 18, 19, 27}
STATIC = {5, 19, 24}
SENT = re.compile(r'!([A-Z=]{2})VD[MO],(\d),(\d),(\d?),([^,]*),([^,]*),(\d)\*([0-9A-Fa-f]{2})')


def bits(payload):
    out = []
    for ch in payload:
        v = ord(ch) - 48
        if v > 40:
            v -= 8
        if v < 0 or v > 63:
            return None
        out.append(format(v, '06b'))
    return ''.join(out)


def uint(b, start, n):
    return int(b[start:start + n], 2)


def sint(b, start, n):
    v = uint(b, start, n)
    return v - (1 << n) if v >= 1 << (n - 1) else v


def main():
    vessels, counts, timed = set(), {}, False
    untimed_mmsi = set()
    for path in sys.argv[1:]:
        groups = {}
        with open(path, 'rb') as f:
            for raw in f:
                line = raw.decode('latin-1').rstrip('\r\n')
                if (line.startswith('$PGHP') or re.search(r'[\\,]c:\d', line)
                        or re.search(r'\*[0-9A-Fa-f]{2},\d{10,}$', line)):
                    timed = True
                m = SENT.search(line)
                if not m:
                    continue
                start = line.index('!', m.start())
                body = line[start + 1:line.index('*', start)]
                cs = 0
                for c in body:
                    cs ^= ord(c)
                if cs != int(m.group(8), 16):
                    continue
                total, num, seq, chan, payload = int(m.group(2)), int(m.group(3)), m.group(4), m.group(5), m.group(6)
                if total == 1:
                    full = payload
                else:
                    key = (seq, chan)
                    if num == 1:
                        groups[key] = [payload, 2]
                        continue
                    g = groups.get(key)
                    if not g or g[1] != num:
                        groups.pop(key, None)
                        continue
                    g[0] += payload
                    g[1] += 1
                    if num < total:
                        continue
                    full = groups.pop(key)[0]
                b = bits(full)
                fill = int(m.group(7))
                if b and fill:
                    b = b[:-fill]
                if not b or len(b) < 38:
                    continue
                t = uint(b, 0, 6)
                mmsi = uint(b, 8, 30)
                counts[t] = counts.get(t, 0) + 1
                if mmsi == 0:
                    continue
                ok = False
                if t in (1, 2, 3) and len(b) >= 137:
                    lon, lat = sint(b, 61, 28) / 600000.0, sint(b, 89, 27) / 600000.0
                    ok = abs(lat) <= 90 and abs(lon) <= 180
                elif t == 18 and len(b) >= 133 or t == 19 and len(b) >= 312:
                    lon, lat = sint(b, 57, 28) / 600000.0, sint(b, 85, 27) / 600000.0
                    ok = abs(lat) <= 90 and abs(lon) <= 180 or t == 19
                elif t == 27 and len(b) in (96, 168):  # the lengths gpsd accepts
                    lon, lat = sint(b, 44, 18) / 600.0, sint(b, 62, 17) / 600.0
                    ok = abs(lat) <= 90 and abs(lon) <= 180
                elif t in STATIC:
                    # lengths gpsd accepts: shorter ones are cut off, type 24 is 160 or 168 bits
                    if t == 24:
                        ok = len(b) in (160, 168) and uint(b, 38, 2) in (0, 1)  # part A or B
                    else:
                        ok = len(b) >= {5: 420, 19: 312}[t]
                if ok:
                    (vessels if timed else untimed_mmsi).add(mmsi)
    print(json.dumps({'vessels': len(vessels), 'untimed_only': len(untimed_mmsi - vessels),
                      'types': {str(k): v for k, v in sorted(counts.items())}}))


if __name__ == '__main__':
    main()
