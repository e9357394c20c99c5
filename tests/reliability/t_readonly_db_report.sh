#!/usr/bin/env bash
# report --key on a read-only database (issue 17, item 7): with a key the report signs and
# records a fresh head when the log grew; on a read-only database that write fails, and the
# report must exit 1 with SQLite's reason ("attempt to write a readonly database"), not
# "cannot sign a head: database error", and leave no report behind.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
chmod 755 "$T"
cd "$T" || exit 1
AS=()
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 77; }
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
"$SW_BIN" simulate --seed 3 --hours 24 --vessels 10 --out s.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
"$SW_BIN" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
mkdir files
"$SW_BIN" analyze -q --db files/d.db s.nmea >/dev/null 2>&1 || fail "analyze"
[ ${#AS[@]} -gt 0 ] && chown 65534 k.key
chmod 0444 files/d.db
chmod 0777 files
chmod 0666 files/d.db-writer.lock
before=$(md5sum <files/d.db)
"${AS[@]}" "$SW_BIN" report --db files/d.db --key k.key --out files/rep >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "report --key on a read-only database: exit $rc: $(cat err.txt)"
grep -q "readonly database" err.txt || fail "report --key: no reason: $(cat err.txt)"
[ -e files/rep ] && fail "a failed report left files/rep behind"
[ "$before" = "$(md5sum <files/d.db)" ] || fail "the database changed"
echo "RESULT report --key on a read-only database: $(cat err.txt)"
