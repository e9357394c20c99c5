#!/usr/bin/env bash
# Issue 12 must-show 1: the detectors' findings do not depend on how the input is cut. A
# three-day simulated scenario (OFAC list imported) is analysed as one file, as one file per
# day, as one file per six hours (each a run of its own into one database), and as one file
# killed with SIGKILL at ten random moments and resumed each time. The incident view of each
# (for every incident its latest record, withdrawn ones left out, compared without the ledger's
# leaf numbers and the 'completes' link) is identical; every record that completes an incident
# names one published before; the killed run's events file equals the uninterrupted run's line
# for line (issue 17 item 9).
set -u
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$SW_ROOT/tests/lib/kill_resume.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
SEED=${SW_CARRY_SEED:-5}
SDN=$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz
cd "$T"
"$SW_BIN" simulate --seed "$SEED" --hours 72 --split-hours 24 --out day.nmea --truth t.json \
    2>/dev/null || fail "simulate (days)"
"$SW_BIN" simulate --seed "$SEED" --hours 72 --split-hours 6 --out six.nmea --truth t6.json \
    2>/dev/null || fail "simulate (six hours)"
cmp -s day.nmea six.nmea || fail "the whole file depends on --split-hours"
ls day.nmea.0* >/dev/null 2>&1 || fail "no daily files"

fresh() { # a database with the list imported
    rm -f "$1" "$1"-*
    "$SW_BIN" lists import --db "$1" "$SDN" >/dev/null 2>&1 || fail "lists import $1"
}
runs() { # db files... : one analyze run per file, events of each run to db.evN
    local db=$1 i=0
    shift
    fresh "$db"
    for f in "$@"; do
        "$SW_BIN" analyze -q --db "$db" --events "$db.ev$(printf %03d $i)" "$f" || fail "analyze $f"
        i=$((i + 1))
    done
}
runs one.db day.nmea
runs days.db day.nmea.0*
runs sixes.db six.nmea.0*
echo "NOTE: $(ls day.nmea.0* | wc -l) daily files, $(ls six.nmea.0* | wc -l) six-hour files"

# Killed at ten random moments between checkpoints (every 5,000 lines), resumed each time.
fresh kill.db
kill_resume 10 -q --checkpoint 5000 --db kill.db --events kill.ev day.nmea
kills=$KILLS
echo "NOTE: killed $kills times"
[ "$kills" -ge 3 ] || fail "only $kills kills landed before the run ended"
cmp -s one.db.ev000 kill.ev || fail "the resumed run's events file differs from the uninterrupted run's"
echo "RESULT killed $kills times and resumed: the events file equals the uninterrupted run's line for line ($(wc -l <kill.ev) events)"

python3 - one.db.ev000 -- days.db.ev* -- sixes.db.ev* -- kill.ev <<'PY' || fail "incident views differ"
import json, sys

def view(files):
    inc, published = {}, set()
    for fn in files:
        for line in open(fn):
            e = json.loads(line)
            key = e.get("completes") or e["id"]
            if e.get("completes") and e["completes"] not in published:
                sys.exit(f"{fn}: {e['id']} completes {key}, never published before")
            published.add(e["id"])
            inc[key] = e
    out = {}
    for key, e in inc.items():
        if e.get("withdrawn"):
            continue
        e = dict(e)
        e.pop("completes", None)
        e["id"] = key
        e["evidence"] = {k: v for k, v in e.get("evidence", {}).items() if k not in ("leaf", "sha256")}
        out[key] = json.dumps(e, sort_keys=True)
    return out

groups, cur = [], []
for a in sys.argv[1:]:
    if a == "--":
        groups.append(cur)
        cur = []
    else:
        cur.append(a)
groups.append(cur)
names = ["one file", "one file per day", "one file per six hours", "killed and resumed"]
views = [view(g) for g in groups]
records = [sum(sum(1 for _ in open(f)) for f in g) for g in groups]
one = views[0]
for name, v, n in zip(names, views, records):
    if v != one:
        only = sorted(set(v) ^ set(one))[:5]
        diff = [k for k in one if k in v and v[k] != one[k]][:3]
        sys.exit(f"{name}: {len(v)} incidents against {len(one)}; ids on one side only {only}; "
                 f"differing {[(one[k][:300], v[k][:300]) for k in diff]}")
    print(f"RESULT {name}: {len(v)} incidents from {n} records, identical to one file's")
types = sorted({json.loads(s)["type"] for s in one.values()})
print(f"NOTE incident types: {', '.join(types)}")
PY
