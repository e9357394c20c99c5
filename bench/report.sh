#!/usr/bin/env bash
# Issue 7, must-show 4: a report over 10,000 events, timed on one core. The events are recorded
# in the ledger of a simulated scenario (so the maps have real tracks, coast and zones around
# Korea): each a copy of a real detector event moved to another vessel and time of the
# scenario. Prints the wall and CPU time and the sizes of the files written.
# Usage: bench/report.sh [N_EVENTS] (default 10000). Needs a built build/sanctwatch.
set -eu
cd "$(dirname "$0")/.."
N=${1:-10000}
BIN=${SW_BIN:-build/sanctwatch}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$BIN" simulate --seed 1 --hours 72 --vessels 200 --out "$T/s.nmea" --truth "$T/s.json" 2>/dev/null
"$BIN" analyze -q --db "$T/r.db" --events "$T/ev.jsonl" "$T/s.nmea"
"$BIN" ledger keygen --key "$T/k.key" >/dev/null 2>&1
python3 - "$T" "$N" <<'PY'
import json, sqlite3, random, sys, hashlib
T, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(f"{T}/r.db")
pts = db.execute("SELECT mmsi, t, lat, lon FROM track").fetchall()
base = [json.loads(l) for l in open(f"{T}/ev.jsonl")]
rnd = random.Random(1)
with open(f"{T}/many.jsonl", "w") as f:
    for i in range(n):
        e = json.loads(json.dumps(rnd.choice(base)))
        e.pop("evidence", None)
        mmsi, t, lat, lon = rnd.choice(pts)
        e["id"] = hashlib.sha256(f"bench-{i}".encode()).hexdigest()[:32]
        e["vessels"][0]["mmsi"] = mmsi
        ts = lambda ms: __import__("time").strftime("%Y-%m-%dT%H:%M:%SZ", __import__("time").gmtime(ms / 1000))
        e["start"] = ts(t); e["end"] = ts(t + 3 * 3600 * 1000); e["ongoing"] = False
        e["lat"], e["lon"] = lat, lon
        f.write(json.dumps(e) + "\n")
PY
"$BIN" ledger append --db "$T/r.db" --key "$T/k.key" "$T/many.jsonl" >/dev/null
total=$(sqlite3 "$T/r.db" "SELECT COUNT(*) FROM events")
echo "events in the ledger: $total ($N added to the scenario's own)"
/usr/bin/env time -f "report: %e s wall, %U s user, %S s system, %M KB peak RSS" \
    taskset -c 0 "$BIN" report --db "$T/r.db" --key "$T/k.key" --out "$T/out" 2>&1 |
    sed 's/^wrote/  wrote/'
ls -l "$T/out" | awk 'NR>1 {printf "  %-16s %10d bytes\n", $9, $5}'
