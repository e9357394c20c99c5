#!/usr/bin/env bash
# A database with damaged pages and `sanctwatch report` (issue 17, item 7): the report reads
# the track, the events, the vessels and identities and the signed heads of its incidents; with
# any of those tables damaged it must exit non-zero with SQLite's own message ("database disk
# image is malformed"), and leave no report behind (it writes into a temporary folder renamed
# only when complete). Before the fix: a damaged track page gave exit 0 and an incident whose
# track was silently empty. Goes to tests/reliability/ beside lib_damage.sh.
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

check "track" report --db d.db --pub k.key.pub --out out
check "events" report --db d.db --pub k.key.pub --out out
check "vessels identity_history" report --db d.db --pub k.key.pub --out out
check "ledger_heads" report --db d.db --pub k.key.pub --out out
check "ledger_tiles" report --db d.db --pub k.key.pub --out out

[ ${#failed[@]} -eq 0 ] || fail "${#failed[@]} of $cases report runs did not report the damage"
echo "RESULT damaged pages: report exits non-zero with SQLite's message in all $cases cases, no half report"
