#!/usr/bin/env bash
# Must-show 1: the real recordings in ../shared ingest, and the vessel counts and counters
# agree with numbers computed here independently (awk over the CSV; tests/ingest/aiscount.py,
# a separate Python de-armourer, over the NMEA recordings).
set -u
R=$SW_SHARED/data/ais/real
MC=$R/marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv
DMA=$R/dma-aislib/stream_example.txt
[ -f "$MC" ] && [ -f "$DMA" ] && [ -d "$R/amsa-risky" ] || { echo "SKIP: shared AIS recordings absent"; exit 77; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
counter() { sqlite3 "$1" "SELECT COALESCE(json_extract(counters,'\$.$2'),0) FROM ingest_runs ORDER BY id DESC LIMIT 1"; }

# --- MarineCadastre CSV. The extract has rows up to ~20 min out of order (and a few hundred
# end-of-day rows mixed in), so the lateness bound is one hour here.
"$SW_BIN" analyze -q --lateness 3600 --db "$T/mc.db" "$MC" || fail "analyze MarineCadastre"
rows=$(($(wc -l <"$MC") - 1))
bad=$(awk -F, 'NR>1 && length($1)>9' "$MC" | wc -l)
want=$(awk -F, 'NR>1 && length($1)<=9 && $1>0 {print $1}' "$MC" | sort -u | wc -l)
got=$(sqlite3 "$T/mc.db" "SELECT COUNT(*) FROM vessels")
echo "RESULT: MarineCadastre: $got vessels (distinct valid MMSIs in the CSV: $want), $rows rows"
[ "$got" -eq "$want" ] || fail "vessels $got != $want"
[ "$(counter "$T/mc.db" messages)" -eq "$rows" ] || fail "messages counter"
[ "$(counter "$T/mc.db" bad_mmsi)" -eq "$bad" ] || fail "bad_mmsi counter != $bad"
acc=$(counter "$T/mc.db" accepted); dup=$(counter "$T/mc.db" duplicate); late=$(counter "$T/mc.db" late)
[ $((acc + dup + late + bad)) -eq "$rows" ] || fail "accepted+duplicate+late+bad_mmsi != rows ($acc $dup $late $bad)"
# Exact duplicate rows (same everything) are the only duplicates.
dups=$(($(tail -n +2 "$MC" | awk -F, 'length($1)<=9' | sort | uniq | wc -l)))
[ $((rows - bad - dups)) -eq "$dup" ] || fail "duplicates $dup != $((rows - bad - dups))"
# One identity, as in the CSV.
[ "$(sqlite3 "$T/mc.db" "SELECT name||'|'||imo||'|'||callsign||'|'||flag||'|'||ship_type||'|'||length_m FROM vessels WHERE mmsi=367379190")" = "EAGLE|8207721|WTD4583|US|31|28" ] || fail "identity of 367379190"
# The latest fix is the row with the latest time.
lastrow=$(awk -F, '$1==367379190' "$MC" | sort -t, -k2 | tail -1 | cut -d, -f3,4)
[ "$(sqlite3 "$T/mc.db" "SELECT last_lat||','||last_lon FROM vessels WHERE mmsi=367379190")" = "$lastrow" ] || fail "latest fix of 367379190"
# Every vessel's positions count: rows with a position, minus the exact duplicates.
pos=$(sqlite3 "$T/mc.db" "SELECT SUM(positions) FROM vessels")
[ "$pos" -eq "$(counter "$T/mc.db" positions)" ] || fail "sum of positions"

# --- DMA and AMSA NMEA recordings, each into its own database.
for f in "$DMA" "$R"/amsa-risky/*.txt; do
    n=$(basename "$f" .txt)
    "$SW_BIN" analyze -q --lateness 2592000 --db "$T/$n.db" "$f" || fail "analyze $n"
    ref=$(python3 "$SW_ROOT/tests/ingest/aiscount.py" "$f") || fail "aiscount $n"
    want=$(echo "$ref" | python3 -c 'import json,sys; print(json.load(sys.stdin)["vessels"])')
    got=$(sqlite3 "$T/$n.db" "SELECT COUNT(*) FROM vessels")
    echo "RESULT: $n: $got vessels (independent count: $want)"
    [ "$got" -eq "$want" ] || fail "$n: vessels $got != $want"
    # Identity history rows: at least one per vessel with an identity.
    ids=$(sqlite3 "$T/$n.db" "SELECT COUNT(*) FROM vessels WHERE name IS NOT NULL OR callsign IS NOT NULL OR imo IS NOT NULL OR ship_type IS NOT NULL OR length_m IS NOT NULL")
    hist=$(sqlite3 "$T/$n.db" "SELECT COUNT(DISTINCT mmsi) FROM identity_history")
    [ "$ids" -eq "$hist" ] || fail "$n: identity history covers $hist of $ids vessels"
done
# DMA: per-kind counters against the message types counted independently.
ref=$(python3 "$SW_ROOT/tests/ingest/aiscount.py" "$DMA")
ty() { echo "$ref" | python3 -c "import json,sys; print(json.load(sys.stdin)['types'].get('$1',0))"; }
[ "$(counter "$T/stream_example.db" base_station)" -eq $(($(ty 4) + $(ty 11))) ] || fail "DMA base_station"
[ "$(counter "$T/stream_example.db" aid_to_navigation)" -eq "$(ty 21)" ] || fail "DMA aids"
[ "$(counter "$T/stream_example.db" other_station)" -eq "$(ty 9)" ] || fail "DMA other_station"
[ "$(sqlite3 "$T/stream_example.db" "SELECT COUNT(*) FROM aids")" -gt 0 ] || fail "DMA aids table empty"
# The lines all add up: every line the framer saw is accounted for under one reason.
sum=$(sqlite3 "$T/stream_example.db" "SELECT SUM(value) FROM ingest_runs r, json_each(r.counters) j WHERE j.key LIKE 'nmea_%' AND r.id=(SELECT MAX(id) FROM ingest_runs)")
[ "$sum" -eq "$(counter "$T/stream_example.db" lines)" ] || fail "DMA: nmea reasons $sum != lines"
echo "RESULT: DMA counters match the independent type counts; all lines accounted for"

# vessels and track commands read the database.
"$SW_BIN" vessels --db "$T/mc.db" --json >"$T/v.jsonl" || fail "vessels --json"
[ "$(wc -l <"$T/v.jsonl")" -eq "$(sqlite3 "$T/mc.db" "SELECT COUNT(*) FROM vessels")" ] || fail "vessels --json lines"
python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/v.jsonl" || fail "vessels --json is not JSON Lines"
"$SW_BIN" vessels --db "$T/mc.db" | grep -q "^367379190 US A EAGLE" || fail "vessels table"
"$SW_BIN" track --db "$T/mc.db" --geojson 367379190 >"$T/t.geojson" || fail "track --geojson"
python3 - "$T/t.geojson" <<'PY' || fail "track GeoJSON"
import json, sys
g = json.load(open(sys.argv[1]))
f = g["features"][0]
assert f["geometry"]["type"] in ("LineString", "Point")
n = len(f["properties"]["times"])
assert n >= 1 and (f["geometry"]["type"] == "Point" or len(f["geometry"]["coordinates"]) == n)
PY
pts=$(sqlite3 "$T/mc.db" "SELECT COUNT(*) FROM track WHERE mmsi=367379190")
[ "$("$SW_BIN" track --db "$T/mc.db" 367379190 | wc -l)" -eq $((pts + 1)) ] || fail "track text lines"
[ "$("$SW_BIN" track --db "$T/mc.db" --from 2022-01-03T00:30 --to 2022-01-03T01:00 367379190 | wc -l)" -le $((pts + 1)) ] || fail "track --from/--to"
"$SW_BIN" vessels --db "$T/nope.db" 2>"$T/err" && fail "missing db accepted"
grep -q "cannot open '$T/nope.db': No such file or directory" "$T/err" || fail "missing db message"
echo "RESULT: vessels and track commands read the database"
exit 0
