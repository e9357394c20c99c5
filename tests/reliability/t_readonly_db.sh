#!/usr/bin/env bash
# A read-only database (issue 17, item 7): every writing command (analyze, lists import on a
# database with and without the lists tables, ledger append, ledger head) must exit 1 with
# SQLite's or the system's real reason, never "not an error", and leave the database as it
# was. Two ways to be read-only:
#   - the database file (mode 0444, folder writable), run as an unprivileged user (nobody
#     through setpriv when root, else the current user);
#   - the whole file system (a tmpfs remounted read-only): root only, skipped visibly else.
# report --key on a read-only database is in t_readonly_db_report.sh.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
T=$(mktemp -d)
MNT=""
cleanup() {
    [ -n "$MNT" ] && { umount "$MNT" 2>/dev/null; rmdir "$MNT"; }
    rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
chmod 755 "$T"
cd "$T" || exit 1
SW=$SW_BIN
AS=()
if [ "$(id -u)" -eq 0 ]; then
    command -v setpriv >/dev/null || { echo "SKIP: root without setpriv"; exit 77; }
    AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

# the inputs, readable by anyone
"$SW" simulate --seed 3 --hours 24 --vessels 10 --out base.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
"$SW" simulate --seed 4 --hours 24 --vessels 10 --out more.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
"$SW" analyze -q --db scratch.db --events more.jsonl more.nmea >/dev/null 2>&1 || fail "analyze"
gzip -dc "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" | head -300 >sdn.csv
gzip -dc "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" | head -600 >sdn2.csv
"$SW" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
cp -p k.key u.key # the key of the user who runs the refused commands
[ ${#AS[@]} -gt 0 ] && chown 65534 u.key
chmod a+r base.nmea more.nmea more.jsonl sdn.csv sdn2.csv

# make DIR: full.db (analyze, lists, ledger, a signed head) and bare.db (analyze only)
make_dbs() {
    "$SW" analyze -q --db "$1/full.db" base.nmea >/dev/null 2>&1 || fail "analyze"
    "$SW" lists import --db "$1/full.db" --edition 2024-01-01 sdn.csv >/dev/null 2>&1 ||
        fail "lists import"
    "$SW" ledger head --db "$1/full.db" --key k.key --out head0.txt >/dev/null 2>&1 ||
        fail "ledger head"
    "$SW" analyze -q --db "$1/bare.db" base.nmea >/dev/null 2>&1 || fail "analyze"
}

cases=0
# refused LABEL DIR CMD...: CMD must exit 1 with a real reason and leave DIR's databases as
# they were
refused() {
    local label=$1 dir=$2
    shift 2
    local before after
    before=$(cat "$dir"/*.db | md5sum)
    "${AS[@]}" "$SW" "$@" >out.txt 2>err.txt
    local rc=$?
    after=$(cat "$dir"/*.db | md5sum)
    cases=$((cases + 1))
    [ "$rc" -eq 1 ] || fail "$label '$*': exit $rc: $(cat err.txt)"
    grep -q "not an error" err.txt && fail "$label '$*': $(cat err.txt)"
    grep -Eq "readonly database|Read-only file system|unable to open database file|Permission denied" err.txt ||
        fail "$label '$*': no reason given: $(cat err.txt)"
    [ "$before" = "$after" ] || fail "$label '$*' changed the database"
    echo "ok $label '$*': $(head -c 200 err.txt)"
}

run_all() {
    local label=$1 d=$2
    refused "$label" "$d" analyze -q --db "$d/full.db" more.nmea
    refused "$label" "$d" lists import --db "$d/full.db" --edition 2030-01-01 sdn2.csv
    refused "$label" "$d" lists import --db "$d/bare.db" --edition 2030-01-01 sdn2.csv
    refused "$label" "$d" ledger append --db "$d/full.db" more.jsonl
    refused "$label" "$d" ledger head --db "$d/full.db" --key u.key --out "$T/head.txt"
}

# 1. read-only database files in a folder anyone may write (for the -shm file and the lock)
mkdir files
make_dbs files
chmod 0444 files/*.db
chmod 0777 files
chmod 0666 files/*-writer.lock
run_all "read-only file" files

# 2. a read-only file system
if [ "$(id -u)" -eq 0 ] && MNT=$(mktemp -d) && mount -t tmpfs -o size=32m tmpfs "$MNT" 2>/dev/null; then
    chmod 0777 "$MNT"
    make_dbs "$MNT"
    chmod 0666 "$MNT"/*
    mount -o remount,ro "$MNT" || fail "remount read-only"
    run_all "read-only file system" "$MNT"
else
    [ -n "$MNT" ] && { rmdir "$MNT"; MNT=""; }
    echo "NOTE: not root (or no tmpfs mount): the read-only file system cases are skipped"
fi
echo "RESULT read-only databases: $cases writing commands refused with their reason, databases unchanged"
