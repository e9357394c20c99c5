#!/usr/bin/env bash
# The detectors on the real recordings of ../shared with the UN and OFAC lists imported: one
# database per recording, its events in OUT/<name>.jsonl, and a line per recording with its
# incidents by type and kind (listed_vessel by corroboration and designation, ais_gap by
# reception). docs/detection.md's "Measured" table comes from this.
#   scripts/real-findings.sh [OUT]      (SW=path/to/sanctwatch, SHARED=path/to/shared)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SW=${SW:-$ROOT/build/sanctwatch}
SHARED=${SHARED:-$ROOT/../shared}
OUT=${1:-$(mktemp -d)}
D=$SHARED/data
UN=$D/sanctions/un/un_sc_consolidated_2026-02-27.xml
SDN=$D/sanctions/ofac/sdn_2024-05-03.csv
for f in "$UN" "$SDN"; do [ -f "$f" ] || { echo "missing $f" >&2; exit 1; }; done
mkdir -p "$OUT"
for f in "$D"/ais/real/amsa-risky/*.txt "$D"/ais/real/dma-aislib/stream_example.txt \
    "$D"/ais/real/marinecadastre-via-VesselSummaryAIS/*.csv; do
    n=$(basename "$f"); n=${n%.*}
    rm -f "$OUT/$n.db" "$OUT/$n.db"-*
    "$SW" lists import --db "$OUT/$n.db" "$UN" "$SDN" >/dev/null
    "$SW" analyze -q --db "$OUT/$n.db" --events "$OUT/$n.jsonl" "$f"
    python3 - "$OUT/$n.jsonl" "$n" <<'PY'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("withdrawn"):
        continue
    d = e.get("details", {})
    k = e["type"] + (" " + d["kind"] if d.get("kind") else "")
    if e["type"] == "listed_vessel":
        k += " (%s, %s)" % (d.get("corroboration"), d.get("designation"))
    if e["type"] == "ais_gap":
        k += " " + d.get("reception", "")
    c[k] += 1
print("%s: %s" % (sys.argv[2], "; ".join("%d %s" % (v, k) for k, v in sorted(c.items())) or "none"))
PY
done
echo "events and databases in $OUT"
