#!/usr/bin/env bash
# The main job on the bundled example, from raw AIS to the report. Installs missing packages,
# builds, then in out/example/:
#   1. simulates 36 hours of traffic around Korea with labelled behaviour of every event type
#      (deterministic: seed 1), NMEA with tag blocks from several receivers;
#   2. imports the bundled OFAC SDN list (a US government work: public domain);
#   3. analyzes the scenario and a real recording (28 s of the Danish Maritime Authority's
#      feed) into the store with every detector, recording each event in the ledger;
#   4. scores the events against the scenario's ground truth;
#   5. writes the report, signed with a ledger key made for the example.
# SW=PATH runs an installed program instead (nothing is installed or built then; the bundled
# files come from its data directory, EXAMPLES=DIR), OUT=DIR writes elsewhere.
set -eu
cd "$(dirname "$0")/.."
if [ -z "${SW:-}" ]; then
    scripts/deps.sh
    make -s -j"$(nproc 2>/dev/null || echo 2)" build/sanctwatch
    SW=build/sanctwatch
fi
EX=${EXAMPLES:-data/examples}
OUT=${OUT:-out/example}
rm -rf "$OUT"
mkdir -p "$OUT"
echo "== simulate"
$SW simulate --seed 1 --out "$OUT/scenario.nmea" --truth "$OUT/truth.json"
echo "== lists import"
$SW lists import --db "$OUT/sanctwatch.db" "$EX"/sdn_2024-05-03.csv.gz
echo "== analyze"
$SW analyze --db "$OUT/sanctwatch.db" --events "$OUT/events.jsonl" \
    "$OUT/scenario.nmea" "$EX"/dma-stream-2010-06-11.nmea
echo "== eval (events against the scenario's ground truth)"
$SW eval "$OUT/truth.json" "$OUT/events.jsonl" || true
echo "== report"
$SW ledger keygen --key "$OUT/ledger.key" --name example.sanctwatch/ledger >/dev/null
$SW report --db "$OUT/sanctwatch.db" --key "$OUT/ledger.key" --out "$OUT/report"
echo
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
echo "Open $OUT/report/report.html in a browser."
