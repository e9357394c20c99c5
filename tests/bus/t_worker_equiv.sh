#!/usr/bin/env bash
# The worker (docs/bus.md, "The worker"): `analyze nats://` on what `feed` published gives what
# `analyze FILE` gives on the same input: the same events file byte for byte and the same
# events, ledger (state and tiles), vessels, track and identity history in the database, on
# each real recording and on a simulated day. Then two workers on partitions 0-127 and
# 128-255, each into its own database: every vessel is in exactly one, and the union of their
# per-vessel events is the one-worker run's: events of one vessel, not of the pair rules
# (encounter, dark_rendezvous) nor ais_gap, whose reception context counts the other vessels
# heard near the gap (docs/detection.md), which a worker of half the vessels does not see (the
# test says how many gap events differ).
set -u
T=$(mktemp -d)
. "$(dirname "$0")/lib_nats.sh"
fail() { echo "FAIL: $*"; exit 1; }
nats_start -js
BUS=nats://127.0.0.1:$NATS_PORT

# equiv NAME INPUT: feed INPUT to stream NAME, analyze it from the file and from the bus
equiv() {
    local s=$1 in=$2 d=$T/$1
    mkdir -p "$d"
    "$SW_BIN" feed -q --bus "$BUS" --stream "$s" --subject "sw.$s" "$in" 2>"$d/feed.err" || { cat "$d/feed.err"; fail "feed $in"; }
    "$SW_BIN" analyze -q --db "$d/file.db" --events "$d/file.ev" "$in" || fail "analyze $in"
    "$SW_BIN" analyze --db "$d/bus.db" --events "$d/bus.ev" --idle-exit 1 --stream "$s" --subject "sw.$s" "$BUS" 2>"$d/bus.err" ||
        { cat "$d/bus.err"; fail "analyze from the bus ($in)"; }
    grep -q " 0 bad," "$d/bus.err" || { cat "$d/bus.err"; fail "$in: bad messages on the bus"; }
    cmp -s "$d/file.ev" "$d/bus.ev" || { diff "$d/file.ev" "$d/bus.ev" | head; fail "$in: events files differ"; }
    db_dump "$d/file.db" >"$d/file.dump"
    db_dump "$d/bus.db" >"$d/bus.dump"
    cmp -s "$d/file.dump" "$d/bus.dump" || { diff "$d/file.dump" "$d/bus.dump" | head; fail "$in: database tables differ"; }
    echo "RESULT: $(basename "$in"): $(wc -l <"$d/file.ev") events, $(sqlite3 "$d/file.db" 'SELECT count(*) FROM vessels') vessels: the same from the file and from the bus ($(sed -n 's/^analyze: bus: \([0-9]*\) received.*/\1/p' "$d/bus.err") messages)"
}

n=0
REAL=$SW_SHARED/data/ais/real
if [ -d "$REAL" ]; then
    for f in amsa-risky/ais.txt amsa-risky/exact-earth-augmented.txt amsa-risky/exact-earth-with-tag-block.txt \
             dma-aislib/stream_example.txt marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv; do
        [ -f "$REAL/$f" ] || { echo "NOTE: $f absent"; continue; }
        equiv "R$((++n))" "$REAL/$f"
    done
else
    echo "NOTE: no real recordings at $REAL: the simulated day only"
fi

"$SW_BIN" simulate --seed 1 --hours 24 --vessels 20 --out "$T/sim.nmea" --truth "$T/sim.json" 2>/dev/null || fail "simulate"
equiv SIM "$T/sim.nmea"

# Two workers on disjoint partition ranges.
for r in 0-127 128-255; do
    "$SW_BIN" analyze --db "$T/w$r.db" --events "$T/w$r.ev" --idle-exit 1 --stream SIM --subject sw.SIM \
        --partitions "$r" "$BUS" 2>"$T/w$r.err" || { cat "$T/w$r.err"; fail "worker $r"; }
done
python3 - "$T/SIM/bus.db" "$T/SIM/bus.ev" "$T/w0-127" "$T/w128-255" <<'PY' || exit 1
import json, sqlite3, sys
def part(mmsi, n=256):  # splitmix64, as docs/bus.md says
    M = 0xffffffffffffffff
    x = (mmsi + 0x9E3779B97F4A7C15) & M
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M
    return (x ^ (x >> 31)) % n
def vessels(db):
    return {r[0] for r in sqlite3.connect(db).execute('SELECT mmsi FROM vessels')}
def per_vessel(ev, gaps=False):  # events of one vessel, not of the cross-vessel rules; no leaf
    out = set()
    for l in open(ev):
        d = json.loads(l)
        if len(d['vessels']) != 1 or (d['type'] == 'ais_gap') != gaps or d['type'] in ('encounter', 'dark_rendezvous'):
            continue
        d['evidence'].pop('leaf', None)
        out.add(json.dumps(d, sort_keys=True))
    return out
one, w = vessels(sys.argv[1]), [vessels(p + '.db') for p in sys.argv[3:5]]
if w[0] & w[1]: sys.exit('FAIL: vessels in both workers: %s' % sorted(w[0] & w[1]))
if w[0] | w[1] != one: sys.exit('FAIL: workers have %d vessels, one worker %d' % (len(w[0] | w[1]), len(one)))
for i, (lo, hi) in enumerate([(0, 127), (128, 255)]):
    bad = [m for m in w[i] if not lo <= part(m) <= hi]
    if bad: sys.exit('FAIL: worker %d-%d has vessels of other partitions: %s' % (lo, hi, bad[:5]))
e1, ew = per_vessel(sys.argv[2]), [per_vessel(p + '.ev') for p in sys.argv[3:5]]
if ew[0] | ew[1] != e1:
    sys.exit('FAIL: per-vessel events differ: %d only in one worker run, %d only in the two' % (len(e1 - ew[0] - ew[1]), len((ew[0] | ew[1]) - e1)))
g1, gw = per_vessel(sys.argv[2], True), [per_vessel(p + '.ev', True) for p in sys.argv[3:5]]
print('NOTE: ais_gap (reception judged from the other vessels heard): %d events of one worker, %d of the two, %d the same' % (len(g1), len(gw[0] | gw[1]), len(g1 & (gw[0] | gw[1]))))
print('RESULT: two workers (0-127, 128-255): %d + %d vessels = the %d of one worker; per-vessel events %d + %d = the %d of one worker' % (len(w[0]), len(w[1]), len(one), len(ew[0]), len(ew[1]), len(e1)))
PY
