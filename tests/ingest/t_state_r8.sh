#!/usr/bin/env bash
# A database analysed by a build whose vessels kept 8 recent fixes (saved vessel records of
# 552 bytes, layout 55201443) goes on with this build: its saved vessels are converted
# (sw_vessel_from_r8) and its carried stage state still applies, so the next input gives the
# events and tables this build gives when it analysed both inputs itself.
# data/amsa-first5000-r8.db.gz: main at 4d5cb56 (2026-12-07), `analyze --db DB` on the first
# 5,000 lines of ../shared/data/ais/real/amsa-risky/ais.txt, then VACUUM.
set -u
F=$SW_SHARED/data/ais/real/amsa-risky/ais.txt
[ -f "$F" ] || { echo "SKIP: $F absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
head -n 5000 "$F" >"$T/a.txt"
tail -n +5001 "$F" >"$T/b.txt"
gzip -dc "$(dirname "$0")/data/amsa-first5000-r8.db.gz" >"$T/old.db" || fail "fixture"
[ "$(sqlite3 "$T/old.db" "SELECT DISTINCT layout FROM ingest_state_log")" = 55201443 ] ||
    fail "the fixture is not of the 8-fix layout"
"$SW_BIN" analyze -q --db "$T/old.db" --events "$T/old-b.jsonl" "$T/b.txt" 2>"$T/err" ||
    fail "the old database refused: $(cat "$T/err")"
"$SW_BIN" analyze -q --db "$T/new.db" --events /dev/null "$T/a.txt" || fail "first half"
"$SW_BIN" analyze -q --db "$T/new.db" --events "$T/new-b.jsonl" "$T/b.txt" || fail "second half"
n=$(wc -l <"$T/new-b.jsonl")
[ "$n" -gt 10 ] || fail "only $n events in the second half"
cmp -s "$T/old-b.jsonl" "$T/new-b.jsonl" || fail "events differ: $(diff "$T/old-b.jsonl" "$T/new-b.jsonl" | head -5)"
for t in "vessels ORDER BY mmsi" "identity_history ORDER BY mmsi, seq" "track ORDER BY mmsi, t"; do
    [ "$(sqlite3 "$T/old.db" "SELECT * FROM $t" | md5sum)" = "$(sqlite3 "$T/new.db" "SELECT * FROM $t" | md5sum)" ] ||
        fail "table ${t%% *} differs"
done
grep -q "afresh" "$T/err" && fail "the stages started afresh: $(cat "$T/err")"
echo "RESULT the 8-fix database went on: $n events of the second half and the vessels, identity_history and track tables identical to this build's own two runs"
