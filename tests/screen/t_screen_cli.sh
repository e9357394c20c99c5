#!/usr/bin/env bash
# sanctwatch screen end to end: the UN consolidated list imported with 'lists import', then
# names in other romanizations and scripts, identifiers, JSON and batch CSV output (with the
# spreadsheet-formula guard), and the error paths with their exit statuses.
set -u
UN="$SW_SHARED/data/sanctions/un/un_sc_consolidated_2026-02-27.xml"
[ -f "$UN" ] || { echo "SKIP: UN list absent at $UN"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

"$SW_BIN" lists import --db "$tmp/db" "$UN" >/dev/null || { echo "FAIL lists import"; exit 1; }

# expect_top QUERY REF [OPTIONS...]: the first match of QUERY is the UN entry REF.
expect_top() {
    local q=$1 ref=$2; shift 2
    "$SW_BIN" screen --db "$tmp/db" "$@" -- "$q" >"$tmp/out" 2>"$tmp/err" || { fail "'$q': exit status"; cat "$tmp/err"; return; }
    local got; got=$(sed -n 's/^1\. [0-9.]*  un_sc \([^ ]*\) .*/\1/p' "$tmp/out")
    [ "$got" = "$ref" ] || { fail "'$q': top match '$got', want $ref"; cat "$tmp/out"; }
}
# RI JE-SON (KPi.002) in McCune-Reischauer, Revised Romanization, common spellings, Hangul.
for q in "RI JE-SON" "Ri Che-son" "Lee Je Son" "Rhee Jeson" "Yi Je-seon" "리제선" "이제선"; do
    expect_top "$q" KPi.002
done
# An organisation with its legal form spelt differently.
expect_top "Korea Mining Development Trading Co., Ltd." KPe.001
expect_top "KOREA MINING DEVELOPMENT TRADING CORP" KPe.001 --type organization
# The type filter leaves a person out.
"$SW_BIN" screen --db "$tmp/db" --type vessel "RI JE-SON" >"$tmp/out" || fail "type filter: exit"
grep -q '^no match' "$tmp/out" || { fail "type filter kept a person"; cat "$tmp/out"; }

# The explanation names the variant.
"$SW_BIN" screen --db "$tmp/db" "Lee Che-son" >"$tmp/out"
grep -q 'lee -> ri (romanization variant 0.95)' "$tmp/out" || { fail "explanation"; cat "$tmp/out"; }

# JSON: one object, parsed, with the match, its score and the token explanation.
"$SW_BIN" screen --db "$tmp/db" --json "Lee Je-seon" >"$tmp/json" || fail "json: exit status"
python3 - "$tmp/json" <<'PY' || fail "json content"
import json, sys
o = json.loads(open(sys.argv[1]).read())
m = o["matches"][0]
assert o["normalized"] == "lee je seon", o
assert m["list"] == "un_sc" and m["ref"] == "KPi.002" and m["type"] == "person", m
assert 0.8 <= m["score"] <= 1, m
hows = [e["how"] for e in m["explanation"]]
assert "romanization variant" in hows, hows
PY

# Batch: CSV in (header, quoted fields, a bad row, a formula), CSV of matches out.
cat >"$tmp/q.csv" <<'CSV'
id,name,type
q1,"Lee Je-seon",person
q2,"=RI JE SON",
q3
q4,Nobody Atall Smithson,
q5,"KOREA MINING DEVELOPMENT TRADING CO LTD",organization
CSV
"$SW_BIN" screen --db "$tmp/db" --batch "$tmp/q.csv" --limit 1 --out "$tmp/m.csv" 2>"$tmp/err" || fail "batch: exit status"
grep -q 'q.csv:4: expected id,name' "$tmp/err" || { fail "batch: bad row not reported"; cat "$tmp/err"; }
grep -q 'screened 4 queries: 3 with matches, 1 lines skipped' "$tmp/err" || { fail "batch summary"; cat "$tmp/err"; }
python3 - "$tmp/m.csv" <<'PY' || fail "batch CSV content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
ids = [(r["query_id"], r["ref"]) for r in rows]
assert ids == [("q1", "KPi.002"), ("q2", "KPi.002"), ("q5", "KPe.001")], ids
assert rows[1]["query"] == "'=RI JE SON", rows[1]["query"]   # formula guarded
assert "romanization variant" in rows[0]["explanation"], rows[0]
PY

# Errors: absent database (1), bad options (2), no lists (1).
"$SW_BIN" screen --db "$tmp/none.db" x 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "cannot open '$tmp/none.db': No such file or directory" "$tmp/err" || fail "absent db: rc=$rc $(cat "$tmp/err")"
"$SW_BIN" screen --db "$tmp/db" --threshold 2 x 2>/dev/null; [ $? -eq 2 ] || fail "bad threshold accepted"
"$SW_BIN" screen --db "$tmp/db" --type boat x 2>/dev/null; [ $? -eq 2 ] || fail "bad type accepted"
"$SW_BIN" screen --db "$tmp/db" 2>/dev/null; [ $? -eq 2 ] || fail "empty query accepted"
sqlite3 "$tmp/empty.db" 'create table t(x)' 2>/dev/null || python3 -c "import sqlite3; sqlite3.connect('$tmp/empty.db').execute('create table t(x)')"
"$SW_BIN" screen --db "$tmp/empty.db" x 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no sanctions lists in" "$tmp/err" || fail "db without lists: rc=$rc $(cat "$tmp/err")"

# Regression: a file with no readable query (one column) was "0 queries", exit 0, like no match;
# --json with --batch was silently ignored.
printf 'Kim Jong Un\nRi Je Son\n' >"$tmp/one.csv"
"$SW_BIN" screen --db "$tmp/db" --batch "$tmp/one.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no query could be read from '$tmp/one.csv'" "$tmp/err" || fail "batch without queries: rc=$rc $(cat "$tmp/err")"
"$SW_BIN" screen --db "$tmp/db" --json --batch "$tmp/q.csv" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q -- "--json is for a query" "$tmp/err" || fail "--json --batch: rc=$rc"
# Regression: a directory as --batch FILE printed the CSV header, then "input/output error".
mkdir -p "$tmp/adir"
"$SW_BIN" screen --db "$tmp/db" --batch "$tmp/adir" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "cannot read '$tmp/adir': Is a directory" "$tmp/err" || fail "batch directory: rc=$rc $(cat "$tmp/err")"

# Regression: a hostile list name with ESC drove the analyst's terminal in the text output.
printf '{"id":"x1","schema":"Person","properties":{"name":["Evilname \\u001b[31mRed"]},"datasets":["d"],"last_seen":"2024-01-01"}\n' >"$tmp/esc.json"
"$SW_BIN" lists import --db "$tmp/esc.db" "$tmp/esc.json" >/dev/null || fail "esc import"
"$SW_BIN" screen --db "$tmp/esc.db" "Evilname 31mred" >"$tmp/out" 2>&1
grep -q 'Evilname \\x1b\[31mRed' "$tmp/out" && ! grep -q "$(printf '\033')" "$tmp/out" || fail "ESC not escaped: $(cat -v "$tmp/out")"

# Vessels (issue 18 item 2, issue 12's rule): a vessel match carries its identifiers, an IMO or
# MMSI query finds the vessel with --type vessel, and the listed-vessel rule says whether a
# name match is corroborated by what is known of the vessel seen.
SDN="$SW_SHARED/data/sanctions/ofac/sdn_2024-05-03.csv"
if [ -f "$SDN" ]; then
    "$SW_BIN" lists import --db "$tmp/db" "$SDN" >/dev/null || fail "OFAC import"
    v() { "$SW_BIN" screen --db "$tmp/db" --type vessel "$@" >"$tmp/out" 2>"$tmp/err" || { fail "vessel screen $*: exit"; cat "$tmp/err"; }; }
    v "IMO 7937317"
    grep -q '^1\. 1.000  ofac_sdn [0-9]*  vessel  ' "$tmp/out" || { fail "IMO query"; cat "$tmp/out"; }
    grep -q '     vessel: IMO 7937317, .*flag' "$tmp/out" || { fail "vessel identifiers"; cat "$tmp/out"; }
    grep -q '     corroborated: imo (confidence 0.95)' "$tmp/out" || { fail "IMO corroboration"; cat "$tmp/out"; }
    name=$(sed -n 's/^1\. 1.000  ofac_sdn [0-9]*  vessel  //p' "$tmp/out")
    type=$(grep -o 'type [^,]*' "$tmp/out" | head -1 | cut -c6-)
    v "$name"
    grep -q '     not corroborated: the name alone' "$tmp/out" || { fail "bare name corroborated"; cat "$tmp/out"; }
    v --ship-type 37 --length 12 "$name"
    grep -q '     not corroborated: ' "$tmp/out" || { fail "a yacht corroborated a listed ship"; cat "$tmp/out"; }
    v --ship-type 70 --length 120 "$name" # a cargo ship: the listed type is General Cargo
    grep -q '     corroborated: name+type' "$tmp/out" || { fail "cargo ship not corroborated"; cat "$tmp/out"; }
    echo "NOTE: vessel '$name' (listed type '$type') screened by IMO and by name"
    "$SW_BIN" screen --db "$tmp/db" --json --type vessel "IMO 7937317" >"$tmp/json" || fail "vessel json"
    python3 - "$tmp/json" <<'PY' || fail "vessel json content"
import json, sys
m = json.load(open(sys.argv[1]))["matches"][0]
assert m["vessel"]["imo"] == "7937317", m
assert m["corroboration"]["corroborated"] is True and m["corroboration"]["on"] == "imo", m
assert m["lists"][0]["list"] == "ofac_sdn", m
PY
    "$SW_BIN" screen --db "$tmp/db" --ship-type 80 "x" 2>/dev/null; [ $? -eq 2 ] || fail "--ship-type without --type vessel"
else
    echo "NOTE: OFAC sdn.csv absent: vessel screening not checked"
fi
[ $fails -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "screen CLI: all checks passed"
