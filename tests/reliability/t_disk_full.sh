#!/usr/bin/env bash
# A full disk (issue 17, item 7), on a small tmpfs (root only; skipped visibly otherwise): a
# lists import and a ledger append that run out of space must exit 1 with SQLite's reason
# ("database or disk is full"), never "not an error", and leave the database as it was before
# the command (integrity_check ok, the earlier edition and events still there).
# The analyze checkpoint's case is in t_disk_full_analyze.sh.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 absent"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
. "$HERE/lib_full.sh"
trap 'unmount_full; rm -rf "$T"' EXIT
mount_full 4m || { echo "SKIP: mounting a small tmpfs needs root"; exit 77; }
cd "$T" || exit 1
SW=$SW_BIN

gzip -dc "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" | head -300 >small.csv
gzip -dc "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" >big.csv
"$SW" lists import --db "$MNT/l.db" --edition 2024-01-01 small.csv >/dev/null 2>err.txt ||
    fail "small import: $(cat err.txt)"
fill_but 256
"$SW" lists import --db "$MNT/l.db" --edition 2024-05-03 big.csv >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "lists import on a full disk: exit $rc: $(cat err.txt)"
grep -q "database or disk is full" err.txt || fail "lists import on a full disk: $(cat err.txt)"
rm -f "$MNT/filler"
[ "$(sqlite3 "$MNT/l.db" "PRAGMA integrity_check")" = ok ] || fail "damaged after a full disk"
[ "$(sqlite3 "$MNT/l.db" "SELECT count(*) FROM entries")" -eq 300 ] ||
    fail "the earlier edition changed"
echo "ok lists import on a full disk: $(head -c 200 err.txt)"

rm -f "$MNT"/l.db*
"$SW" simulate --seed 3 --hours 24 --vessels 10 --out s.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
"$SW" simulate --seed 1 --out big.nmea --truth t.json 2>/dev/null || fail "simulate"
"$SW" analyze -q --db scratch.db --events big.jsonl big.nmea >/dev/null 2>&1 || fail "analyze"
"$SW" analyze -q --db "$MNT/e.db" s.nmea >/dev/null 2>err.txt || fail "analyze: $(cat err.txt)"
n=$(sqlite3 "$MNT/e.db" "SELECT count(*) FROM events")
fill_but 48
"$SW" ledger append --db "$MNT/e.db" --batch 100000 big.jsonl >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "ledger append on a full disk: exit $rc: $(cat err.txt)"
grep -q "database or disk is full" err.txt || fail "ledger append on a full disk: $(cat err.txt)"
rm -f "$MNT/filler"
[ "$(sqlite3 "$MNT/e.db" "PRAGMA integrity_check")" = ok ] || fail "damaged after a full disk"
[ "$(sqlite3 "$MNT/e.db" "SELECT count(*) FROM events")" -eq "$n" ] || fail "events changed"
echo "ok ledger append on a full disk: $(head -c 200 err.txt)"
echo "RESULT full disk: lists import and ledger append fail with SQLite's reason, databases intact"
