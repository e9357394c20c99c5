#!/usr/bin/env bash
# A database with damaged pages (issue 17, item 7): every reading command that reads a damaged
# table must exit non-zero with SQLite's own message ("database disk image is malformed"),
# never succeed with partial output. The pages are found with SQLite's dbstat table and
# overwritten with zeros by dd on a copy of a database made by analyze, lists import and
# ledger head; each case damages the leaf pages of the tables the command reads. The report's
# cases are in t_damaged_page_report.sh.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 absent"; exit 77; }
sqlite3 :memory: "SELECT count(*) FROM dbstat" >/dev/null 2>&1 ||
    { echo "SKIP: sqlite3 without the dbstat table"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$T" || exit 1
SW=$SW_BIN

. "$HERE/lib_damage.sh"

check "vessels" vessels --db d.db
check "vessels" vessels --db d.db --json
check "track" track --db d.db "$MMSI"
check "track" track --db d.db --geojson "$MMSI"
check "entries entry_names" screen --db d.db "$NAME"
check "entries" lists show --db d.db
check "entry_changes" lists changes --db d.db
check "entry_ids entry_vessels" lists vessels --db d.db
check "ledger_heads" ledger head --show --db d.db
check "events" ledger prove --db d.db --event "$EVENT"
check "events" ledger verify --pub k.key.pub --db d.db
check "ledger_tiles" ledger verify --pub k.key.pub --db d.db

[ ${#failed[@]} -eq 0 ] || fail "${#failed[@]} of $cases commands did not report the damage: ${failed[*]}"
echo "RESULT damaged pages: all $cases reading commands exit non-zero with SQLite's message"
