#!/usr/bin/env bash
# bench/partition_balance's arithmetic on a hand-made input (docs/scale.md, issue 14): seven
# MarineCadastre rows of three vessels near the corner of the 1-degree cell (row 90, col 180:
# lat 0..1, lon 0..1), through the library's pipeline like the real recordings. At 1 degree
# (111,195 m per degree of latitude; of longitude times cos(lat)):
#   A1 (0.5, 0.5)      mid-cell                                 no copy
#   B1 (0.003, 0.003)  333.6 m from the S and W edges, corner 471.8 m: copies S, W, SW (3)
#   C1 (0.5, 0.996)    444.8 m from the E edge                  copy E (1)
#   A2 (0.5, 0.003)    333.6 m from the W edge                  copy W (1)
#   B2 (0.004, 0.004)  444.8 m from S and W, corner 629.0 m     copies S, W (2); leaves SW
#   C2 (0.5, 0.5) 10 kn mid-cell                                no copy; leaves E
#   A3 (0.5, 0.5)      mid-cell                                 no copy; leaves W
# halo 500 m, every fix: 7 copies / 7 fixes = 1.0000, 3 leave notices / 7 = 0.4286; cells
#   (90,180) owns 7, (90,179) 3 copies, (89,180) 2, (89,179) 1, (90,181) 1: load 14.
#   Largest first: W2 {7} {3,2,1,1} = 7/7 -> 1.000; W4 {7} {3} {2} {1,1} -> 7/3.5 = 2.000;
#   W16 7/(14/16) = 8.000; the busiest cell owns 7/7 = 1.0000 of the fixes.
# halo 500 m, slow fixes (C2 at 10 kn is out: its leave notices go to its two cells): 6 fixes,
#   7 copies -> 1.1667, 4 leaves -> 0.6667; loads 6,3,2,1,1 = 13: W2 {6,1} {3,2,1} -> 7/6.5
#   = 1.077; W4 {6} {3} {2} {1,1} -> 6/3.25 = 1.846.
# halo 250 m: no fix is that close to an edge: 0 copies, 0 leaves.
# The hash columns (splitmix64 of the MMSI, of row << 32 | col) are recomputed here with an
# independent splitmix64 in Python, and their max/mean from the loads above.
set -u
BIN=$SW_BUILD/bench/partition_balance
[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

H=MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass
{
    echo "$H"
    echo "366000001,2022-01-03T00:00:00,0.5,0.5,0,90,511,ALPHA,,,70,0,100,20,5,,A"
    echo "366000002,2022-01-03T00:01:00,0.003,0.003,1,90,511,BRAVO,,,70,0,100,20,5,,A"
    echo "366000003,2022-01-03T00:02:00,0.5,0.996,0,90,511,CHARLIE,,,70,0,100,20,5,,A"
    echo "366000001,2022-01-03T00:03:00,0.5,0.003,0,90,511,ALPHA,,,70,0,100,20,5,,A"
    echo "366000002,2022-01-03T00:04:00,0.004,0.004,1,90,511,BRAVO,,,70,0,100,20,5,,A"
    echo "366000003,2022-01-03T00:05:00,0.5,0.5,10,90,511,CHARLIE,,,70,0,100,20,5,,A"
    echo "366000001,2022-01-03T00:06:00,0.5,0.5,0,90,511,ALPHA,,,70,0,100,20,5,,A"
} >"$T/hand.csv"
"$BIN" --explain "$T/hand.csv" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "partition_balance exited non-zero"; }

line() { grep -E "^PAIR input=files filter=$1 halo_m=$2 cell_deg=1 " "$T/out"; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
check() { # what got want
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
    echo "ok: $1 = $3"
}
L=$(line all 500)
check "fixes (all, 500 m)" "$(echo "$L" | field fixes)" 7
check "copies per fix (all, 500 m)" "$(echo "$L" | field copies_per_fix)" 1.0000
check "leaves per fix (all, 500 m)" "$(echo "$L" | field leaves_per_fix)" 0.4286
check "busiest cell's share (all, 500 m)" "$(echo "$L" | field top_cell_share)" 1.0000
check "cells (all, 500 m)" "$(echo "$L" | field cells)" 5
check "lpt W2 (all, 500 m)" "$(echo "$L" | field lpt:W2)" 1.000
check "lpt W4 (all, 500 m)" "$(echo "$L" | field lpt:W4)" 2.000
check "lpt W16 (all, 500 m)" "$(echo "$L" | field lpt:W16)" 8.000
L=$(line slow 500)
check "fixes (slow, 500 m)" "$(echo "$L" | field fixes)" 6
check "copies per fix (slow, 500 m)" "$(echo "$L" | field copies_per_fix)" 1.1667
check "leaves per fix (slow, 500 m)" "$(echo "$L" | field leaves_per_fix)" 0.6667
check "lpt W2 (slow, 500 m)" "$(echo "$L" | field lpt:W2)" 1.077
check "lpt W4 (slow, 500 m)" "$(echo "$L" | field lpt:W4)" 1.846
L=$(line all 250)
check "copies per fix (all, 250 m)" "$(echo "$L" | field copies_per_fix)" 0.0000
check "leaves per fix (all, 250 m)" "$(echo "$L" | field leaves_per_fix)" 0.0000

# The cells and their loads, as listed above.
cells=$(grep "^EXPLAIN cell cell_deg=1 halo_m=500 filter=all " "$T/out" |
    sed 's/.* row=\([0-9]*\) col=\([0-9]*\) own=\([0-9]*\) copies=\([0-9]*\).*/\1,\2,\3,\4/' | sort | tr '\n' ' ')
check "cells (row,col,own,copies)" "$cells" "89,179,0,1 89,180,0,2 90,179,0,3 90,180,7,0 90,181,0,1 "

# The hash columns against an independent splitmix64.
python3 - "$T/out" <<'EOF' || fail "hash columns"
import re, sys
M = (1 << 64) - 1
def mix(x):
    x = (x + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return x ^ (x >> 31)
assert mix(0) == 0xE220A8397B1DCDAF  # splitmix64's first output from seed 0
out = open(sys.argv[1]).read()
def maxmean(loads, w):
    per = [0] * w
    for key, l in loads:
        per[mix(key) % w] += l
    return "%.3f" % (max(per) * w / sum(per))
ways = (2, 4, 16, 64, 256)
vessels = {366000001: 3, 366000002: 2, 366000003: 2}
v = re.search(r"^VESSELS input=files .*$", out, re.M).group(0)
for w in ways:
    want = maxmean(list(vessels.items()), w)
    got = re.search(r" P%d=(\S+)" % w, v).group(1)
    assert got == want, ("P%d" % w, got, want)
cells = {(90, 180): 7, (90, 179): 3, (89, 180): 2, (89, 179): 1, (90, 181): 1}
p = re.search(r"^PAIR input=files filter=all halo_m=500 cell_deg=1 .*$", out, re.M).group(0)
for w in ways:
    want = maxmean([((r << 32) | c, l) for (r, c), l in cells.items()], w)
    got = re.search(r" hash:W%d=(\S+)" % w, p).group(1)
    assert got == want, ("W%d" % w, got, want)
print("ok: hash columns P2..P256 and W2..W256 agree with splitmix64 recomputed in Python")
EOF

# Without the shared recordings it says so and succeeds.
out=$("$BIN" --shared "$T/none") || fail "exit status without recordings"
echo "$out" | grep -q "^SKIP: real recording" || fail "no SKIP line without recordings: $out"
echo "ok: without recordings: $out"
