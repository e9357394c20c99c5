#!/usr/bin/env bash
# sanctwatch events on a simulated scenario: the incident view equals the one computed from
# analyze's own JSON Lines (last record per incident, withdrawn ones dropped), --records gives
# every record, pages of --limit joined by --after give the whole listing, filters hold on
# every row, and bad options are usage errors.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"
# Two daily files analyzed one after the other: episodes open at midnight are published
# ongoing by the first run and completed (or withdrawn) by the second.
"$SW_BIN" simulate --seed 5 --hours 48 --split-hours 24 --out s.nmea --truth s.json 2>/dev/null ||
    fail "simulate"
: >ev.jsonl
for f in s.nmea.000 s.nmea.001; do
    "$SW_BIN" analyze -q --db s.db --events "ev.$f" "$f" || fail "analyze $f"
    cat "ev.$f" >>ev.jsonl
done
"$SW_BIN" events --db s.db --json >inc.jsonl || fail "events"
"$SW_BIN" events --db s.db --json --records --order time >rec.jsonl || fail "events --records"
"$SW_BIN" events --db s.db >table.txt || fail "events table"
mmsi=$(python3 -c 'import json; print(json.loads(open("ev.jsonl").readline())["vessels"][0]["mmsi"])')
"$SW_BIN" events --db s.db --json --mmsi "$mmsi" >mmsi.jsonl || fail "events --mmsi"
"$SW_BIN" events --db s.db --json --min-confidence 0.9 --bbox 30,120,45,135 >f.jsonl ||
    fail "events filters"
: >paged.jsonl
after=""
for i in $(seq 1 100); do
    "$SW_BIN" events --db s.db --json --limit 7 ${after:+--after "$after"} >>paged.jsonl 2>next.txt ||
        fail "events page $i"
    after=$(sed -n 's/^next page: --after //p' next.txt)
    [ -n "$after" ] || break
done
python3 - "$mmsi" <<'PY' || fail "events content"
import json, sys
mmsi = int(sys.argv[1])
load = lambda p: [json.loads(l) for l in open(p)]
ev, inc, rec = load("ev.jsonl"), load("inc.jsonl"), load("rec.jsonl")
last = {}
for e in ev:
    last[e.get("completes") or e.get("supersedes") or e["id"]] = e
view = {e["id"] for e in last.values() if not e.get("withdrawn")}
assert {e["id"] for e in inc} == view, "incident view differs from analyze's"
assert len(inc) == len(view) and len(rec) == len(ev), (len(inc), len(view), len(rec), len(ev))
assert sorted(e["id"] for e in rec) == sorted(e["id"] for e in ev)
assert all("leaf" in e["evidence"] and "sha256" in e["evidence"] for e in inc)
completed = [e for e in inc if e.get("completes")]
assert completed, "no incident completed by the second file's run"
assert [e["id"] for e in load("paged.jsonl")] == [e["id"] for e in inc], "pages differ"
m = load("mmsi.jsonl")
assert m and all(any(v["mmsi"] == mmsi for v in e["vessels"]) for e in m)
assert len(m) == sum(1 for e in inc if any(v["mmsi"] == mmsi for v in e["vessels"]))
f = load("f.jsonl")
assert all(e["confidence"] >= 0.9 and 30 <= e["lat"] <= 45 and 120 <= e["lon"] <= 135 for e in f)
assert len(f) == sum(1 for e in inc if (e.get("confidence") or 0) >= 0.9 and
                     e.get("lat") is not None and 30 <= e["lat"] <= 45 and 120 <= e["lon"] <= 135)
print(f"RESULT events: {len(inc)} incidents of {len(rec)} records ({len(completed)} completed by "
      f"a later run, {len(last) - len(view)} withdrawn), as analyze's view; "
      f"{len(load('paged.jsonl'))} paged in 7s; {len(m)} of MMSI {mmsi}; {len(f)} filtered")
PY
[ "$(wc -l <table.txt)" -eq $(( $(wc -l <inc.jsonl) + 1 )) ] || fail "table rows"
for bad in "--type bogus" "--bbox 1,2,3" "--min-confidence 2" "--order random" "--limit 0"; do
    "$SW_BIN" events --db s.db $bad >/dev/null 2>err; rc=$?
    [ "$rc" -eq 2 ] || fail "'events $bad' exit $rc"
done
"$SW_BIN" events --db s.db --after e1.it0 --order significance >/dev/null 2>err; rc=$?
[ "$rc" -eq 2 ] && grep -q "cursor" err || fail "a cursor of another order: exit $rc"
"$SW_BIN" events --db nope.db 2>err && fail "missing database accepted"
grep -q "No such file" err || fail "missing database message"
echo "RESULT events: usage errors exit 2, a missing store 1"
