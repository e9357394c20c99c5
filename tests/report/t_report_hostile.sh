#!/usr/bin/env bash
# Hostile stores for `sanctwatch report`: a missing database, a file that is not a database, a
# store without events (an empty report, not a failure), and an event edited in the store after
# it was recorded (refused: a report must never publish a proof that fails in the reader's
# hands). Never a crash, never a silent success.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"

# Expect exit 1 (an error message, no crash: a signal gives >= 128).
expect_error() {
    "$SW_BIN" report "$@" --out bad >/dev/null 2>err.txt
    rc=$?
    [ "$rc" -eq 1 ] || fail "report $* exited $rc: $(cat err.txt)"
    [ -s err.txt ] || fail "report $* failed without a message"
}
expect_error --db missing.db --key k.key
echo "not a database" > junk.db
expect_error --db junk.db --key k.key

# A store with no events: an empty report, every file written.
: > empty.nmea
"$SW_BIN" analyze -q --db e.db empty.nmea >/dev/null 2>&1 || fail "analyze of empty input"
expect_error --db e.db          # no signed head and no key
"$SW_BIN" report --db e.db --key k.key --out empty >/dev/null 2>err.txt || fail "empty: $(cat err.txt)"
for f in report.html report.json events.geojson tracks.geojson events.kml events.csv; do
    [ -s "empty/$f" ] || fail "empty/$f missing or empty"
done
python3 -c 'import json,sys; m=json.load(open("empty/report.json")); sys.exit(len(m["incidents"]) != 0)' ||
    fail "incidents in an empty report"

# An event edited in the store after it was recorded.
"$SW_BIN" simulate --seed 3 --hours 24 --vessels 10 --out s.nmea --truth s.json 2>/dev/null ||
    fail "simulate"
"$SW_BIN" analyze -q --db s.db s.nmea >/dev/null 2>&1 || fail "analyze"
"$SW_BIN" report --db s.db --key k.key --out good >/dev/null 2>err.txt || fail "report: $(cat err.txt)"
for edit in lat_removed not_json; do
    cp s.db t.db
    python3 - "$edit" <<'PY' || fail "edit the store"
import json, sqlite3, sys
db = sqlite3.connect("t.db")
# the first event with a position of its own (an identity fraud found before any fix has none)
leaf, ev = next((leaf, json.loads(text)) for leaf, text in
                db.execute("SELECT leaf, json FROM events ORDER BY leaf") if '"lat"' in text and
                "lat" in json.loads(text))
ev.pop("lat", None)
new = json.dumps(ev) if sys.argv[1] == "lat_removed" else "not json"
db.execute("UPDATE events SET json=? WHERE leaf=?", (new, leaf))
db.commit()
PY
    expect_error --db t.db --key k.key
    case $edit in
    lat_removed) grep -q 'does not match its ledger leaf' err.txt || fail "message: $(cat err.txt)" ;;
    esac
done

# Options an analyst can get wrong: a mistyped event type and a reversed period are errors,
# not empty reports; a date alone as --to takes in its whole day.
for args in "--type encounters" "--from 2024-03-05 --to 2024-03-01"; do
    # shellcheck disable=SC2086
    "$SW_BIN" report --db s.db --key k.key $args --out opt >/dev/null 2>err.txt
    rc=$?
    [ "$rc" -eq 2 ] || fail "report $args exited $rc"
done
day=$(python3 -c 'import json; print(json.load(open("s.json"))["events"][0]["start"][:10])') ||
    fail "truth start"
count() {
    "$SW_BIN" report --db s.db --key k.key "$@" --out c >/dev/null 2>&1 || fail "report $*"
    python3 -c 'import json; print(len(json.load(open("c/report.json"))["incidents"]))'
}
a=$(count --from "$day" --to "$day")
b=$(count --from "$day" --to "${day}T23:59:59.999Z")
[ "$a" -gt 0 ] && [ "$a" -eq "$b" ] || fail "--to $day gave $a incidents, the whole day $b"
echo "RESULT missing, junk, empty and edited stores: errors or an empty report, no crash"
