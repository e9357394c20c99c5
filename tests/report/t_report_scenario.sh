#!/usr/bin/env bash
# Issue 7, must-shows 1 and 3: on a generated scenario, report.json holds every event analyze
# found (eval on the report's own events scores exactly as eval on analyze's) and every
# ground-truth event (recall 1 for every type); `sanctwatch ledger verify` accepts every proof in the report and refuses a tampered
# one; the GeoJSON parses with the right geometry types and [lon, lat] order; the KML is
# well-formed and has KML 2.2's structure; the CSV has one row per incident.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"

"$SW_BIN" simulate --seed 7 --hours 36 --out s.nmea --truth s.json 2>/dev/null || fail "simulate"
# listed_vessel needs the sanctions lists the simulator drew its designated vessels from.
LISTS="$SW_SHARED/data/sanctions/ofac/sdn_2024-05-03.csv"
if [ -f "$LISTS" ]; then
    "$SW_BIN" lists import --db s.db "$LISTS" >/dev/null || fail "lists import"
    HAVE_LISTS=1
else
    echo "NOTE: OFAC list absent: listed_vessel is not expected in this run"
    HAVE_LISTS=0
fi
"$SW_BIN" analyze -q --db s.db --events events.jsonl s.nmea || fail "analyze"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
"$SW_BIN" report --db s.db --key k.key --out out >/dev/null || fail "report"
for f in report.html report.json events.geojson tracks.geojson events.kml events.csv; do
    [ -s "out/$f" ] || fail "out/$f missing or empty"
done

# Every incident's proof, as the files a partner would be given.
python3 - "$HAVE_LISTS" <<'PY' || fail "report content"
import json, os, sys, subprocess, csv
have_lists = sys.argv[1] == "1"
def ranks_sorted(inc):
    # rank (event.h), then confidence descending, then start, then id
    key = [(i["rank"], -(i["event"].get("confidence") if i["event"].get("confidence") is not None
                         else -1), i["event"]["start"], i["id"]) for i in inc]
    # ranks as docs/detection.md gives them, for the types whose rank needs no details
    fixed = {"listed_vessel": 1, "dark_rendezvous": 1, "encounter": 2, "loitering": 3,
             "position_spoof": 3, "identity_change": 3}
    wrong = [i["id"] for i in inc if fixed.get(i["event"]["type"], i["rank"]) != i["rank"]]
    assert not wrong, f"ranks of {wrong}"
    return key == sorted(key)
m = json.load(open("out/report.json"))
records = [json.loads(l) for l in open("events.jsonl")]
# The incident view of analyze's records (event.h, SPEC-12): for each incident (its
# "completes", or legacy "supersedes", else its id) the last record; withdrawn incidents and
# zone transit summaries are not incident pages.
last = {}
for e in records:
    last[e.get("completes") or e.get("supersedes") or e["id"]] = e
view = [e for e in last.values() if not e.get("withdrawn")]
transits = [e for e in view if e["type"] == "zone_entry" and
            (e.get("details") or {}).get("kind") in ("transits", "transit")]
ev = [e for e in view if e not in transits]
with open("events.jsonl.view", "w") as f:
    for e in view:
        f.write(json.dumps(e) + "\n")
inc = m["incidents"]
ids = [i["id"] for i in inc]
assert len(ids) == len(set(ids)), "duplicate incidents"
missing = [e["id"] for e in ev if e["id"] not in set(ids)]
assert not missing, f"{len(missing)} analyze incidents missing from the report"
assert len(inc) == len(ev), f"{len(inc)} incidents for {len(ev)} analyze incidents"
assert len(m["transits"]) == len(transits) and len(m["withdrawn"]) == len(last) - len(view)
# The most significant first (sw_event_rank, then confidence, then start).
assert ranks_sorted(inc), "incidents not in significance order"
revised = [i for i in inc if len(i.get("records", [])) > 1]
print(f"RESULT incident view: {len(records)} analyze records, {len(ev)} incidents "
      f"({len(revised)} recorded more than once), {len(transits)} transit summaries, "
      f"{len(m['withdrawn'])} withdrawn")
# The report's events, scored against the ground truth.
with open("report-events.jsonl", "w") as f:
    for i in inc:
        f.write(json.dumps(i["event"]) + "\n")
def score(path):
    out = subprocess.run([os.environ["SW_BIN"], "eval", "--json", "s.json", path],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["types"]
# The report must hold every truth event the detectors found: scoring the report's events
# gives exactly the detectors' own scores (their recall is asserted by tests/detect).
rep, det = score("report-events.jsonl"), score("events.jsonl.view")
assert rep == det, f"report scores {rep} differ from the detectors' {det}"
found = sum(r["tp"] for r in rep.values())
truth = sum(r["truth"] for t, r in rep.items() if have_lists or t != "listed_vessel")
low = {t: r["recall"] for t, r in rep.items() if r["truth"] and r["recall"] < 1}
with open("head.txt", "w") as f:
    f.write(m["ledger"]["note"])
for k, i in enumerate(inc):
    p = dict(i["proof"]); p["event"] = i["event"]
    json.dump(p, open(f"proof{k}.json", "w"))
print(f"RESULT report holds {len(inc)} incidents = {len(ev)} analyze incidents, {found} of {truth} "
      f"truth events (recall below 1: {low or 'none'})")
# The must-show itself: on this scenario the report holds every ground-truth event.
low = {t: r for t, r in low.items() if have_lists or t != "listed_vessel"}
assert not low, f"truth events missing from the report: {low}"

# GeoJSON: events are Points at the event's [lon, lat]; tracks LineStrings of [lon, lat].
g = json.load(open("out/events.geojson"))
assert g["type"] == "FeatureCollection" and len(g["features"]) == len(inc)
byid = {i["id"]: i["event"] for i in inc}
for f in g["features"]:
    assert f["type"] == "Feature"
    e = byid[f["id"]]
    if "lat" in e and e["lat"] is not None:
        assert f["geometry"]["type"] == "Point"
        lon, lat = f["geometry"]["coordinates"]
        assert abs(lon - e["lon"]) < 1e-6 and abs(lat - e["lat"]) < 1e-6, "not [lon, lat]"
        assert -180 <= lon <= 180 and -90 <= lat <= 90
t = json.load(open("out/tracks.geojson"))
assert t["type"] == "FeatureCollection" and t["features"], "no tracks"
pts = {(i["id"], tr["mmsi"]): tr["points"] for i in inc for tr in i["tracks"]}
for f in t["features"]:
    assert f["geometry"]["type"] == "LineString"
    c = f["geometry"]["coordinates"]
    p = pts[(f["properties"]["incident"], f["properties"]["mmsi"])]
    assert len(c) == len(p) >= 2
    for (lon, lat), q in zip(c, p):
        assert abs(lat - q[1]) < 1e-9 and abs(lon - q[2]) < 1e-9, "track not [lon, lat]"
print(f"RESULT geojson: {len(g['features'])} event points, {len(t['features'])} track lines, [lon, lat] checked")

# KML 2.2: kml > Document > Folder > Placemark with TimeSpan and Point/coordinates "lon,lat".
import xml.etree.ElementTree as ET
ns = {"k": "http://www.opengis.net/kml/2.2"}
root = ET.parse("out/events.kml").getroot()
assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
doc = root.find("k:Document", ns)
assert doc is not None and doc.find("k:name", ns) is not None
n = 0
for pm in doc.findall("k:Folder/k:Placemark", ns):
    pt = pm.find("k:Point/k:coordinates", ns)
    if pt is None:
        assert pm.find("k:LineString/k:coordinates", ns) is not None
        continue
    e = byid[pm.get("id")]
    lon, lat = map(float, pt.text.split(","))
    assert abs(lon - e["lon"]) < 1e-5 and abs(lat - e["lat"]) < 1e-5
    assert pm.find("k:TimeSpan/k:begin", ns).text == e["start"]
    assert pm.find("k:styleUrl", ns).text == "#" + e["type"]
    n += 1
assert n == sum(1 for e in byid.values() if e.get("lat") is not None)
print(f"RESULT kml: {n} placemarks with KML 2.2 structure")

rows = list(csv.DictReader(open("out/events.csv", newline="")))
assert len(rows) == len(inc) and [r["id"] for r in rows] == ids
assert all(r["sha256"] == byid[r["id"]]["evidence"]["sha256"] for r in rows)
print(f"RESULT csv: {len(rows)} rows")
PY

command -v xmllint >/dev/null && { xmllint --noout out/events.kml || fail "events.kml is not well-formed"; }

n=0
for p in proof*.json; do
    "$SW_BIN" ledger verify --pub k.key.pub --head head.txt --proof "$p" >/dev/null 2>&1 ||
        fail "ledger verify refused $p"
    n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no proofs"
# A tampered event must be refused.
python3 -c '
import json; p = json.load(open("proof0.json")); p["event"]["start"] = "1999-01-01T00:00:00Z"
json.dump(p, open("bad.json", "w"))'
if "$SW_BIN" ledger verify --pub k.key.pub --head head.txt --proof bad.json >/dev/null 2>&1; then
    fail "ledger verify accepted a tampered event"
fi
echo "RESULT ledger verify accepted all $n proofs in the report and refused a tampered one"

# Each incident shows measurements apart from its rule's thresholds (regression: one table
# mixed min_distance_m 80, measured, with min_duration_h 2, a threshold). Loitering's measured
# min_shore_distance_nm shares its name with the parameter and must stay a measurement.
python3 - <<'PY' || fail "measurements and thresholds"
import re
h = open("out/report.html").read()
want = {"encounter": ("min_distance_m", "min_duration_h"),
        "loitering": ("shore_distance_nm", "min_duration_h"),
        "port_call": ("duration_h", "port_radius_km"),
        "ais_gap": ("gap_h", "min_gap_h")}
seen = set()
for m in re.finditer(r'<h3>\d+\. (\w+):.*?<h4>measurements</h4>(.*?)</table>\s*'
                     r'<h4>rule and its thresholds</h4>(.*?)</table>', h, re.S):
    t = m.group(1)
    if t not in want:
        continue
    meas, rule = (re.findall(r"<th>(.*?)</th>", g) for g in (m.group(2), m.group(3)))
    assert want[t][0] in meas and want[t][0] not in rule, (t, meas, rule)
    assert want[t][1] in rule and want[t][1] not in meas, (t, meas, rule)
    assert "rule" in rule
    seen.add(t)
assert seen == set(want), f"incident types seen: {seen}"
print(f"RESULT thresholds apart from measurements in {sorted(seen)}")
PY

# The by-month summary lists "type n" separated by "; " with none after the last (regression:
# every row ended in a dangling "; ").
grep -q '; </td>' out/report.html && fail "by-month row ends in a separator"
grep -Eq '<td>[0-9]{4}-[0-9]{2}</td><td>[a-z_]+ [0-9]+(; [a-z_]+ [0-9]+)*</td>' out/report.html ||
    fail "by-month row not in the form 'type n; type n'"
echo "RESULT by-month rows without a dangling separator"

# Every map names its corners' coordinates (regression: maps had a scale bar but nothing to
# place them on a chart), and the corners bracket the incident's own position.
python3 - <<'PY' || fail "map corner coordinates"
import json, re
h = open("out/report.html").read()
m = json.load(open("out/report.json"))
# the incidents' maps (the cases section leads the report with maps of its own, of cases and
# possible port calls: t_cases_browser checks them)
h = "".join(re.findall(r'<section class="incident".*?</section>', h, re.S))
maps = re.findall(r'<svg class="map".*?</svg>', h, re.S)
assert len(maps) == sum(1 for i in m["incidents"] if i.get("bbox")), len(maps)
def val(t):
    la, ns, lo, ew = re.match(r"([\d.]+)°([NS]) ([\d.]+)°([EW])", t).groups()
    return (float(la) * (1 if ns == "N" else -1), float(lo) * (1 if ew == "E" else -1))
byid = {i["id"]: i["event"] for i in m["incidents"]}
for s in maps:
    c = re.findall(r'<text class="coord"[^>]*>([^<]*)</text>', s)
    assert len(c) == 2, c
    (n, w), (so, e) = val(c[0]), val(c[1])
    ev = byid[re.search(r'aria-label="map of ([^"]*)"', s).group(1)]
    if ev.get("lat") is not None:
        assert so - 0.01 <= ev["lat"] <= n + 0.01 and w - 0.01 <= ev["lon"] <= e + 0.01, (c, ev["lat"], ev["lon"])
print(f"RESULT {len(maps)} maps with corner coordinates around their incident")
PY

# Dossiers give times once, in ISO 8601, and codes with their meaning (regression: epoch
# milliseconds beside every ISO time, ship type and status as bare numbers).
python3 - <<'PY' || fail "dossier fields"
import re
h = open("out/report.html").read()
ds = re.findall(r'<details class="dossier".*?</table>', h, re.S)
assert ds
for d in ds:
    keys = re.findall(r"<th>(\w+)</th>", d)
    assert not [k for k in keys if k + "_iso" in keys], keys
    for code in ("ship_type", "last_status"):
        m = re.search(r"<th>%s</th><td>([^<]*)</td>" % code, d)
        assert m is None or m.group(1) == "null" or re.fullmatch(r"\d+ \(.+\)", m.group(1)), (code, m.group(1))
print(f"RESULT {len(ds)} dossiers: ISO times only, codes with their meaning")
PY
