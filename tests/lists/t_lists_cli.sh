#!/usr/bin/env bash
# sanctwatch lists import/show/changes end to end on the shared UN and OFAC files: per-file
# summaries, refusal of a truncated XML and a malformed CSV with the store unchanged, a
# modified edition recording what was removed, gzip input, the derived DPRK subset refused.
set -u
UN="$SW_SHARED/data/sanctions/un/un_sc_consolidated_2026-02-27.xml"
OF="$SW_SHARED/data/sanctions/ofac"
[ -f "$UN" ] && [ -f "$OF/sdn_2024-05-03.csv" ] || { echo "SKIP: shared sanctions data absent"; exit 77; }
T=$(mktemp -d /tmp/t_lists.XXXXXX)
trap 'rm -rf "$T"' EXIT
DB="$T/l.db"
fail() { echo "FAIL: $*"; exit 1; }

out=$("$SW_BIN" lists import --db "$DB" "$UN") || fail "UN import exit $?"
echo "$out"
[ "$out" = "un_sc 2026-02-27 (un_xml): 1003 entries: 730 person, 273 organization, 0 vessel, 0 aircraft, 0 other; 1003 added, 0 removed, 0 changed" ] || fail "UN summary"

# the OFAC CSV set in one command line, in any order, with the derived JSON subset refused
out=$("$SW_BIN" lists import --db "$DB" "$OF/alt_2025-02-27.csv" "$OF/sdn_2024-05-03.csv" \
      "$OF/sdn_2024-05-03_dprk_related_vessels.json" "$OF/add_2025-02-27.csv" \
      "$OF/sdn_comments_2025-02-27.csv" 2>"$T/err"); rc=$?
echo "$out"; cat "$T/err"
[ $rc -eq 1 ] || fail "expected exit 1 for the refused JSON subset, got $rc"
[ "$out" = "ofac_sdn 2024-05-03 (ofac_sdn_csv): 14965 entries: 6854 person, 6884 organization, 851 vessel, 376 aircraft, 0 other; 14965 added, 0 removed, 0 changed; 3944 orphan rows ignored" ] || fail "OFAC summary"
grep -q "cannot import '.*dprk_related_vessels.json': a JSON array is not a list edition" "$T/err" || fail "JSON subset message"

"$SW_BIN" lists show --db "$DB" >"$T/show1" || fail "show"
cat "$T/show1"
grep -Eq '^un_sc +person +730 +0$' "$T/show1" || fail "show un_sc person"
grep -Eq '^ofac_sdn +vessel +851 +0$' "$T/show1" || fail "show ofac vessel"
"$SW_BIN" lists show --db "$DB" --list un_sc --type organization | grep -Eq '^un_sc +organization +273 +0$' || fail "show filter"

# the DPRK vessel subset, from the imported OFAC data: 105 vessels, each with an IMO number
n=$("$SW_BIN" lists vessels --db "$DB" --list ofac_sdn --programme DPRK | awk -F'\t' 'NR > 1 && $4 ~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9]$/' | wc -l)
echo "RESULT: $n DPRK-programme vessels with an IMO number in ofac_sdn"
[ "$n" -eq 105 ] || fail "DPRK vessels with IMO: $n"
"$SW_BIN" lists vessels --db "$DB" --programme DPRK | grep -q "^ofac_sdn	17104	RYONG GUN BONG	8606173	" || fail "RYONG GUN BONG"

# truncated XML: refused, nothing changed
head -c 1000000 "$UN" >"$T/un_sc_consolidated_2026-03-01.xml"
"$SW_BIN" lists import --db "$DB" "$T/un_sc_consolidated_2026-03-01.xml" 2>"$T/err" && fail "truncated XML accepted"
cat "$T/err"
grep -q "^sanctwatch: cannot import '.*un_sc_consolidated_2026-03-01.xml': malformed XML at line [0-9]*" "$T/err" || fail "truncated XML message"
"$SW_BIN" lists show --db "$DB" >"$T/show2"
diff -u "$T/show1" "$T/show2" || fail "store changed by a refused file"

# malformed CSV (a row with a field missing): refused, nothing changed
awk 'NR==3 { sub(/,"CUBA"/, "") } { print }' "$OF/sdn_2024-05-03.csv" >"$T/sdn_2024-06-01.csv"
"$SW_BIN" lists import --db "$DB" "$T/sdn_2024-06-01.csv" 2>"$T/err" && fail "malformed CSV accepted"
cat "$T/err"
grep -q "cannot import '.*sdn_2024-06-01.csv': line 3: 11 fields where the ofac_sdn_csv file has 12" "$T/err" || fail "CSV message"
"$SW_BIN" lists show --db "$DB" >"$T/show2"
diff -u "$T/show1" "$T/show2" || fail "store changed by a refused CSV"

# a modified edition: KPe.075 removed, a newer date
python3 - "$UN" "$T/un_mod.xml" <<'PY'
import re, sys
s = open(sys.argv[1], encoding='utf-8').read()
s = s.replace('dateGenerated="2026-02-27T00:00:09.554Z"', 'dateGenerated="2026-03-05T00:00:00Z"')
s2 = re.sub(r'<ENTITY>(?:(?!</ENTITY>).)*?<REFERENCE_NUMBER>KPe\.075 ?</REFERENCE_NUMBER>.*?</ENTITY>\s*', '', s, count=1, flags=re.S)
assert s2 != s
open(sys.argv[2], 'w', encoding='utf-8').write(s2)
PY
out=$("$SW_BIN" lists import --db "$DB" "$T/un_mod.xml") || fail "modified edition"
echo "$out"
[ "$out" = "un_sc 2026-03-05 (un_xml): 1002 entries: 730 person, 272 organization, 0 vessel, 0 aircraft, 0 other; 0 added, 1 removed, 0 changed" ] || fail "modified summary"
"$SW_BIN" lists changes --db "$DB" --list un_sc | tee "$T/ch"
[ "$(wc -l <"$T/ch")" -eq 1 ] && grep -q "^un_sc	2026-03-05	removed	KPe.075	organization	" "$T/ch" || fail "changes"
"$SW_BIN" lists show --db "$DB" --list un_sc | grep -Eq '^un_sc +organization +272 +1$' || fail "removed counted"

# gzip input is read transparently; the same bytes are recognised
gzip -c "$T/un_mod.xml" >"$T/un_mod.xml.gz"
out=$("$SW_BIN" lists import --db "$DB" "$T/un_mod.xml.gz") || fail "gz import"
echo "$out"
case $out in *"already imported"*) ;; *) fail "gz not recognised as the same edition" ;; esac

# usage errors
"$SW_BIN" lists import --db "$DB" "$OF/add_2025-02-27.csv" 2>/dev/null; [ $? -eq 2 ] || fail "add.csv alone"
"$SW_BIN" lists import --db "$DB" "$T/nonexistent.xml" 2>"$T/err"; [ $? -eq 1 ] || fail "missing file"
grep -q "cannot import '.*nonexistent.xml': No such file or directory" "$T/err" || fail "missing file message"
# an edition id that is not there is an error, not an empty list of changes
for e in 99 abc 1x -1; do
    "$SW_BIN" lists changes --db "$DB" --edition "$e" >"$T/out" 2>"$T/err"; rc=$?
    [ $rc -eq 1 ] && [ ! -s "$T/out" ] || fail "changes --edition $e: exit $rc"
    grep -q "^sanctwatch: no edition '$e' in " "$T/err" || fail "changes --edition $e message"
done
"$SW_BIN" lists changes --db "$DB" --edition 1 | grep -q "^un_sc	2026-02-27	added	KPe.075	" || fail "changes --edition 1"
# Regression: show/changes/vessels on a misspelt --db created it and printed empty tables, exit 0.
for c in show changes vessels; do
    "$SW_BIN" lists $c --db "$T/typo.db" >"$T/out" 2>"$T/err"; rc=$?
    [ $rc -eq 1 ] && [ ! -s "$T/out" ] && [ ! -e "$T/typo.db" ] || fail "lists $c on an absent db: exit $rc"
    grep -q "^sanctwatch: cannot open '$T/typo.db': No such file or directory" "$T/err" || fail "lists $c absent db message"
done
# Regression: a misspelt --type printed an empty table; options of another subcommand were ignored.
for c in "show --type vessels" "changes --type vessel" "vessels --type vessel" "show --programme DPRK" \
         "import --programme DPRK $UN" "vessels --edition 1" "show --allow-removals"; do
    "$SW_BIN" lists $c --db "$DB" >"$T/out" 2>"$T/err"; rc=$?
    [ $rc -eq 2 ] && [ ! -s "$T/out" ] && grep -q "^sanctwatch: " "$T/err" || fail "lists $c: exit $rc"
done
"$SW_BIN" lists show --db "$DB" --type vessel | grep -Eq '^ofac_sdn +vessel +851 +0$' || fail "show --type vessel"
# Regression: control characters of a hostile name reached the terminal and split the TSV.
printf '{"id":"x1","schema":"Vessel","properties":{"name":["EVIL\\u001b[31m\\tSHIP"]},"datasets":["d"],"last_seen":"2024-01-01"}\n' >"$T/esc.json"
"$SW_BIN" lists import --db "$T/esc.db" "$T/esc.json" >/dev/null || fail "esc import"
"$SW_BIN" lists vessels --db "$T/esc.db" >"$T/out" || fail "esc vessels"
grep -q 'EVIL\\x1b\[31m\\x09SHIP' "$T/out" && ! grep -q "$(printf '\033')" "$T/out" || fail "control characters not escaped: $(cat -v "$T/out")"
[ "$(awk -F'\t' 'NR == 2 { print NF }' "$T/out")" = 9 ] || fail "TSV columns shifted"
echo "RESULT: lists CLI ok"
