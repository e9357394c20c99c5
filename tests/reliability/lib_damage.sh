# Sourced by the damaged-page tests (tests/reliability/t_damaged_page*.sh): in the current
# folder, a database good.db made by lists import, analyze --events and ledger head (key
# k.key), a function damage DB TABLE... that zeroes every leaf page of those tables (found with
# SQLite's dbstat table) with dd, and check "TABLES" CMD... that runs CMD (its --db d.db) on a
# copy of good.db with TABLES damaged and records whether it exited non-zero with SQLite's
# message ("malformed"), a report leaving no out/ folder behind. Needs SW, fail().
"$SW" ledger keygen --key k.key >/dev/null 2>&1 || fail "keygen"
"$SW" simulate --seed 3 --hours 24 --vessels 10 --out s.nmea --truth t.json 2>/dev/null ||
    fail "simulate"
gzip -dc "$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz" | head -400 >sdn.csv
"$SW" lists import --db good.db --edition 2024-05-03 sdn.csv >/dev/null 2>&1 || fail "lists import"
"$SW" analyze -q --db good.db --events ev.jsonl s.nmea >/dev/null 2>&1 || fail "analyze"
"$SW" ledger head --db good.db --key k.key --out head.txt >/dev/null 2>&1 || fail "ledger head"
sqlite3 good.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null || fail "checkpoint"
MMSI=$(sqlite3 good.db "SELECT mmsi FROM track GROUP BY mmsi ORDER BY count(*) DESC LIMIT 1")
EVENT=$(sqlite3 good.db "SELECT id FROM events ORDER BY leaf LIMIT 1")
NAME=$(sqlite3 good.db "SELECT name FROM entries WHERE type='vessel' LIMIT 1")
[ -n "$MMSI" ] && [ -n "$EVENT" ] && [ -n "$NAME" ] || fail "no track, event or vessel entry"

# damage DB TABLE...: zero every leaf page of the tables (their b-trees, indexes apart)
damage() {
    local db=$1 n=0
    shift
    for t in "$@"; do
        for p in $(sqlite3 "$db" "SELECT pageno FROM dbstat WHERE name='$t' AND pagetype='leaf'"); do
            dd if=/dev/zero of="$db" bs=4096 seek=$((p - 1)) count=1 conv=notrunc status=none
            n=$((n + 1))
        done
    done
    [ "$n" -gt 0 ] || fail "no leaf page of $*"
}

cases=0 failed=()
# check "TABLES" CMD...: CMD (its --db is d.db) on a copy with TABLES damaged
check() {
    local tables=$1
    shift
    rm -rf d.db* out
    cp good.db d.db
    # shellcheck disable=SC2086
    damage d.db $tables
    "$SW" "$@" >out.txt 2>err.txt
    local rc=$?
    cases=$((cases + 1))
    if [ "$rc" -eq 0 ] || [ "$rc" -ge 128 ] || ! grep -q "malformed" err.txt; then
        echo "NOT OK: '$*' with $tables damaged: exit $rc, stderr: $(head -c 300 err.txt)"
        failed+=("$*")
        return
    fi
    if [ "$1" = report ] && [ -e out ]; then
        echo "NOT OK: '$*' with $tables damaged left a report in out/"
        failed+=("$*")
        return
    fi
    echo "ok '$*' with $tables damaged: exit $rc: $(head -c 160 err.txt)"
}

