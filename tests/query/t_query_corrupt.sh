#!/usr/bin/env bash
# Issue 17 item 7: a store with damaged pages makes every reading command fail with SQLite's
# own message and a non-zero exit, never an empty answer with exit 0 (a report used to exit 0
# with an incident's track silently empty); report leaves no output folder, not even half of
# one. Pages are damaged with dd on copies of one store built here: the leaf pages of one
# table and its indexes at a time (the tables each command reads).
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 shell absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T"

"$SW_BIN" simulate --seed 3 --hours 24 --out s.nmea --truth s.json 2>/dev/null || fail "simulate"
LISTS="$SW_SHARED/data/sanctions/ofac/sdn_2024-05-03.csv"
if [ -f "$LISTS" ]; then
    "$SW_BIN" lists import --db s.db "$LISTS" >/dev/null || fail "lists import"
else
    echo "NOTE: OFAC list absent: 'lists vessels' is checked on an empty lists table set"
    "$SW_BIN" lists show --db s.db >/dev/null 2>&1
fi
"$SW_BIN" analyze -q --db s.db --events ev.jsonl s.nmea || fail "analyze"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
"$SW_BIN" ledger head --db s.db --key k.key >/dev/null || fail "head"
sqlite3 s.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null || fail "checkpoint"
mmsi=$(sqlite3 s.db "SELECT mmsi FROM track GROUP BY mmsi ORDER BY count(*) DESC LIMIT 1")

# A copy of the store with every leaf page of table $1 (and of its indexes) overwritten.
damage() {
    cp s.db "$2"
    local pages
    pages=$(sqlite3 s.db "SELECT pageno FROM dbstat WHERE pagetype = 'leaf' AND name IN
        (SELECT name FROM sqlite_master WHERE tbl_name = '$1')")
    [ -n "$pages" ] || fail "no leaf pages of table $1"
    for p in $pages; do
        head -c 4096 /dev/zero | tr '\0' '\377' |
            dd of="$2" bs=4096 seek=$((p - 1)) count=1 conv=notrunc 2>/dev/null
    done
}

# check NAME TABLE COMMAND...: the command on a store with TABLE damaged must exit non-zero
# and name SQLite's reason.
check() {
    local name=$1 table=$2
    shift 2
    damage "$table" "$name.db"
    "$@" >"$name.out" 2>"$name.err"
    local rc=$?
    [ "$rc" -ne 0 ] || fail "$name: exit 0 on a store with table $table damaged"
    grep -q "malformed" "$name.err" || { cat "$name.err"; fail "$name: SQLite's message missing"; }
    echo "RESULT $name ($table damaged): exit $rc, $(head -1 "$name.err")"
}

check vessels vessels "$SW_BIN" vessels --db vessels.db
check vessels-json vessels "$SW_BIN" vessels --db vessels-json.db --json
check track track "$SW_BIN" track --db track.db "$mmsi"
check events events "$SW_BIN" events --db events.db
check events-json event_vessels "$SW_BIN" events --db events-json.db --json --mmsi "$mmsi"
[ -f "$LISTS" ] && check lists-vessels entries "$SW_BIN" lists vessels --db lists-vessels.db
for t in track vessels identity_history events; do
    check "report-$t" "$t" "$SW_BIN" report --db "report-$t.db" --key k.key --out "out-$t"
    [ ! -e "out-$t" ] || fail "report-$t: output folder left behind"
    ls -d out-"$t".tmp-* >/dev/null 2>&1 && fail "report-$t: temporary folder left behind"
done

# The undamaged store reports, and a second report replaces the first whole.
"$SW_BIN" report --db s.db --key k.key --out out >/dev/null || fail "report"
"$SW_BIN" report --db s.db --key k.key --out out/ >/dev/null || fail "report over a report"
[ "$(ls out | wc -l)" -eq 9 ] || fail "report folder: $(ls out)" # 6, and the cases' 3
ls -d out.tmp-* >/dev/null 2>&1 && fail "temporary folder left behind"
mkdir other && touch other/notes.txt
"$SW_BIN" report --db s.db --key k.key --out other 2>err && fail "a folder with other files replaced"
grep -q "holds other files" err || fail "message for a folder with other files: $(cat err)"
[ -f other/notes.txt ] || fail "other files touched"
echo "RESULT report replaces a former report whole and refuses a folder holding other files"
