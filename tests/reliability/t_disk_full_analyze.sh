#!/usr/bin/env bash
# A full disk during analyze's checkpoints (issue 17, item 7), on a small tmpfs (root only;
# skipped visibly otherwise): analyze must exit 1 with the real reason ("No space left on
# device" for the state file, or SQLite's "database or disk is full"), never "cannot write a
# checkpoint: not an error", and the database must stay sound (integrity_check ok); once
# there is room again, the same command resumes and completes, its tables equal to an
# uninterrupted run's. Sources lib_full.sh.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 absent"; exit 77; }
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
fail() { echo "FAIL: $*"; exit 1; }
. "$HERE/lib_full.sh"
trap 'unmount_full; rm -rf "$T"' EXIT
mount_full 400k || { echo "SKIP: mounting a small tmpfs needs root"; exit 77; }
cd "$T" || exit 1
"$SW_BIN" simulate --seed 1 --out s.nmea --truth t.json 2>/dev/null || fail "simulate"
"$SW_BIN" analyze --db "$MNT/a.db" --checkpoint 5000 s.nmea >/dev/null 2>err.txt
rc=$?
[ "$rc" -eq 1 ] || fail "analyze on a full disk: exit $rc: $(cat err.txt)"
grep -q "not an error" err.txt && fail "analyze on a full disk: $(cat err.txt)"
grep -Eq "No space left on device|database or disk is full" err.txt ||
    fail "analyze on a full disk gives no reason: $(cat err.txt)"
echo "ok analyze on a full disk: $(head -c 200 err.txt)"
[ "$(sqlite3 "$MNT/a.db" "PRAGMA integrity_check")" = ok ] || fail "damaged after a full disk"
mount -o remount,size=64m "$MNT" || fail "grow the tmpfs"
"$SW_BIN" analyze --db "$MNT/a.db" --checkpoint 5000 s.nmea >/dev/null 2>err.txt ||
    fail "analyze resumed with room again: $(cat err.txt)"
"$SW_BIN" analyze -q --db whole.db s.nmea >/dev/null 2>&1 || fail "analyze uninterrupted"
for q in "SELECT * FROM vessels ORDER BY mmsi" "SELECT * FROM track ORDER BY mmsi, t"; do
    [ "$(sqlite3 "$MNT/a.db" "$q" | md5sum)" = "$(sqlite3 whole.db "$q" | md5sum)" ] ||
        fail "resumed after a full disk: '$q' differs from an uninterrupted run"
done
echo "RESULT analyze on a full disk fails with the real reason, the database sound, the resumed run equal to an uninterrupted one"
