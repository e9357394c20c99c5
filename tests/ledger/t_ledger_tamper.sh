#!/usr/bin/env bash
# Tamper tests of the evidence ledger: after a head is signed, changing one byte of any stored
# event, deleting one, reordering two or truncating the log must make 'ledger verify' fail
# against that earlier head -- both when the database is edited in place and when a forger
# rebuilds an internally consistent log from the altered events (only the signed head, kept by
# a partner, stands in the way). Needs the sqlite3 shell.
set -u
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 shell not installed"; exit 77; }
BIN=${SW_BIN:?}
T=$(mktemp -d /tmp/swledger-tamper.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$T"
N=200
"$BIN" ledger keygen --key k --name tamper.test/log >/dev/null || exit 1
for i in $(seq 1 $N); do
    printf '{"id":"ev-%04d","type":"encounter","start":"2024-03-01T06:20:00Z","end":"2024-03-01T11:20:00Z","lat":30.9,"lon":124.6,"vessels":[{"mmsi":%d,"name":"VESSEL %d"}],"details":{"rule":"encounter","positions":%d}}\n' \
        "$i" $((412000000 + i)) "$i" $((i * 7))
done >events.jsonl
"$BIN" ledger append --db base.db events.jsonl >/dev/null || exit 1
"$BIN" ledger head --db base.db --key k --out head.txt || exit 1
"$BIN" ledger prove --db base.db --event ev-0050 --out p50.json || exit 1
"$BIN" ledger verify --pub k.pub --db base.db --head head.txt || { echo "FAIL: clean log does not verify"; exit 1; }

fail=0 caught=0
expect_caught() { # $1 description, $2 database
    local out
    if out=$("$BIN" ledger verify --pub k.pub --db "$2" --head head.txt 2>&1); then
        echo "FAIL: not caught: $1"; fail=1
    else
        caught=$((caught + 1)); echo "caught ($1): ${out#sanctwatch: }"
    fi
}
# A forger's consistent rebuild: a fresh log from the (altered) events, no recorded heads.
rebuild() { # $1 database with altered events -> $2 new database
    sqlite3 "$1" "SELECT json FROM events ORDER BY leaf" >"$T/re.jsonl"
    rm -f "$2"
    "$BIN" ledger append --db "$2" "$T/re.jsonl" >/dev/null 2>&1
}
tamper() { # $1 description, $2 SQL
    cp base.db t.db
    sqlite3 t.db "$2" || { echo "FAIL: bad tamper SQL for $1"; fail=1; return; }
    expect_caught "$1, edited in place" t.db
    rebuild t.db f.db
    expect_caught "$1, rebuilt consistently" f.db
}

# One byte of an event: several events (first, middle, last) and positions across the text.
for leaf in 0 1 77 128 199; do
    for pos in 2 20 60 100 140; do
        tamper "byte $pos of leaf $leaf" \
            "UPDATE events SET json = substr(json, 1, $pos - 1) || (CASE WHEN substr(json, $pos, 1) = '9' THEN '8' ELSE '9' END) || substr(json, $pos + 1) WHERE leaf = $leaf"
    done
done
# Delete one event.
for leaf in 0 100 199; do
    tamper "delete leaf $leaf" "DELETE FROM events WHERE leaf = $leaf"
done
# Reorder two events (swap their positions in the log).
for pair in "0 1" "10 150" "198 199"; do
    set -- $pair
    tamper "swap leaves $1 and $2" \
        "UPDATE events SET leaf = -1 WHERE leaf = $1; UPDATE events SET leaf = $1 WHERE leaf = $2; UPDATE events SET leaf = $2 WHERE leaf = -1"
done
# Truncate the log (and drop the recorded heads; the rebuild also redoes the tree tables).
cp base.db t.db
sqlite3 t.db "DELETE FROM events WHERE leaf >= 150; DELETE FROM ledger_heads" || fail=1
expect_caught "truncated to 150, edited in place" t.db
rebuild t.db f.db
expect_caught "truncated to 150, rebuilt consistently" f.db
# A proof made before the tampering no longer accepts the altered event.
sqlite3 base.db "SELECT json FROM events WHERE id = 'ev-0050'" | sed 's/"positions":350/"positions":351/' >ev50.json
"$BIN" ledger verify --pub k.pub --head head.txt --proof p50.json || { echo "FAIL: good proof refused"; fail=1; }
if "$BIN" ledger verify --pub k.pub --head head.txt --proof p50.json --event ev50.json 2>/dev/null; then
    echo "FAIL: altered event accepted by its proof"; fail=1
else caught=$((caught + 1)); fi
# A longer, honestly extended log still verifies against the old head.
printf '{"id":"late","type":"loitering","start":"2024-04-01T00:00:00Z"}\n' >late.jsonl
cp base.db g.db
"$BIN" ledger append --db g.db late.jsonl >/dev/null || fail=1
"$BIN" ledger verify --pub k.pub --db g.db --head head.txt >/dev/null || { echo "FAIL: extended log refused"; fail=1; }
echo "RESULT: $caught tamperings caught by 'ledger verify' against the earlier signed head"
exit $fail
