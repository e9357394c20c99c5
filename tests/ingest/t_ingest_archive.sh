#!/usr/bin/env bash
# Archives as published: a zipped MarineCadastre day (one CSV member, as NOAA publishes
# AIS_YYYY_MM_DD.zip), the same day split into two CSV members each with its header, zipped
# NMEA files, and NMEA compressed with bzip2, xz and zstd give analyze the same state
# (vessels, identity_history, track, aids) as the plain files, with the same counters where
# the lines are the same; decode gives the same messages; a run interrupted inside an archive
# and resumed gives the uninterrupted database; a damaged archive is an input error, counted.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
R=$SW_SHARED/data/ais/real
MC=$R/marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv
A=$R/dma-aislib/stream_example.txt
B=$R/amsa-risky/exact-earth-augmented-2.txt
for f in "$MC" "$A" "$B"; do [ -f "$f" ] || { echo "SKIP: shared recording $f absent"; exit 77; }; done
for z in zip bzip2 xz zstd; do command -v $z >/dev/null || { echo "SKIP: $z not installed"; exit 77; }; done
state() {
    sqlite3 "$1" "SELECT * FROM vessels ORDER BY mmsi; SELECT * FROM identity_history ORDER BY mmsi, seq;
                  SELECT * FROM track ORDER BY mmsi, t; SELECT * FROM aids ORDER BY mmsi;"
}
counters() { sqlite3 "$1" "SELECT counters FROM ingest_runs WHERE status='done';"; }
run() { local db=$1; shift; "$SW_BIN" analyze -q --no-detect --db "$db" "$@" || fail "analyze $*"; }

# MarineCadastre: the day as a zip of its CSV
cp "$MC" "$T/AIS_2022_01_03.csv"
(cd "$T" && zip -q AIS_2022_01_03.zip AIS_2022_01_03.csv)
run "$T/mc.db" "$T/AIS_2022_01_03.csv"
run "$T/mcz.db" "$T/AIS_2022_01_03.zip"
state "$T/mc.db" >"$T/mc.state"
[ "$(wc -l <"$T/mc.state")" -gt 1000 ] || fail "too little state to compare"
state "$T/mcz.db" | cmp -s - "$T/mc.state" || fail "zipped MarineCadastre day: other state"
[ "$(counters "$T/mc.db")" = "$(counters "$T/mcz.db")" ] ||
    { counters "$T/mc.db"; counters "$T/mcz.db"; fail "zipped MarineCadastre day: other counters"; }
# ... and split in two members, each with its header (as a multi-file archive would be)
mkdir "$T/split"
head -n 50001 "$MC" >"$T/split/part1.csv"
{ head -n 1 "$MC"; tail -n +50002 "$MC"; } >"$T/split/part2.csv"
(cd "$T/split" && zip -q ../split.zip part1.csv part2.csv)
run "$T/mcs.db" "$T/split.zip"
state "$T/mcs.db" | cmp -s - "$T/mc.state" || fail "two-member MarineCadastre zip: other state"
# the second header is read as a header, not a bad row: one line more, the same rows
num() { sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1"; }
c1=$(counters "$T/mc.db") c2=$(counters "$T/mcs.db")
[ "$(num "$c2" lines)" -eq $(($(num "$c1" lines) + 1)) ] || fail "two members: lines $(num "$c2" lines)"
[ "$(num "$c2" bad_row)" -eq "$(num "$c1" bad_row)" ] || fail "second header counted as a bad row"
[ "$(num "$c2" accepted)" -eq "$(num "$c1" accepted)" ] || fail "two members: other accepted count"

# NMEA: two files zipped, and one compressed three ways
cp "$A" "$T/a.nmea"
cp "$B" "$T/b.nmea"
(cd "$T" && zip -q ab.zip a.nmea b.nmea && bzip2 -k a.nmea && xz -k a.nmea && zstd -q a.nmea)
run "$T/ab.db" "$T/a.nmea" "$T/b.nmea"
run "$T/abz.db" "$T/ab.zip"
state "$T/ab.db" >"$T/ab.state"
state "$T/abz.db" | cmp -s - "$T/ab.state" || fail "zipped NMEA: other state"
run "$T/a.db" "$T/a.nmea"
state "$T/a.db" >"$T/a.state"
for c in bz2 xz zst; do
    run "$T/a$c.db" "$T/a.nmea.$c"
    state "$T/a$c.db" | cmp -s - "$T/a.state" || fail ".$c NMEA: other state"
    [ "$(counters "$T/a.db")" = "$(counters "$T/a$c.db")" ] || fail ".$c NMEA: other counters"
    "$SW_BIN" decode --quiet "$T/a.nmea.$c" | cmp -s - <("$SW_BIN" decode --quiet "$T/a.nmea") ||
        fail "decode .$c: other messages"
done
"$SW_BIN" decode --quiet "$T/ab.zip" | cmp -s - <("$SW_BIN" decode --quiet "$T/a.nmea" "$T/b.nmea") ||
    fail "decode of a zip: other messages"

# Resume inside an archive: interrupted (SIGINT checkpoints), run again, same database.
for try in 1 2 3; do
    rm -f "$T/i.db"*
    "$SW_BIN" analyze -q --no-detect --checkpoint 5000 --db "$T/i.db" "$T/split.zip" 2>/dev/null &
    pid=$!
    sleep 0.$((try + 1))
    kill -INT "$pid" 2>/dev/null
    wait "$pid"; rc=$?
    [ "$rc" -eq 130 ] && break
done
if [ "$rc" -eq 130 ]; then
    run "$T/i.db" "$T/split.zip"
    echo "NOTE: interrupted inside the archive (try $try) and resumed"
else
    echo "NOTE: the run finished before the interrupt (rc $rc); resume not exercised"
fi
state "$T/i.db" | cmp -s - "$T/mc.state" || fail "resumed inside an archive: other state"

# A damaged archive: the lines before the damage are kept, the error is counted and said.
head -c 200000 "$T/AIS_2022_01_03.zip" >"$T/cut.zip"
"$SW_BIN" analyze -q --no-detect --db "$T/cut.db" "$T/cut.zip" 2>"$T/cut.err"
grep -q "cannot read '$T/cut.zip'" "$T/cut.err" || { cat "$T/cut.err"; fail "damage not reported"; }
echo "RESULT: zip (1 and 2 CSV members), zip of NMEA, .bz2/.xz/.zst give the plain files' state"
exit 0
