#!/usr/bin/env bash
# listed_vessel and the date of the designation (docs/detection.md, listed_vessel). The OFAC
# edition bundled in data/examples (2024-05-03) lists the general cargo ship TAMBEY, IMO
# 9014872, under EO 14024 (which began 2021-04-15), and the tanker SAINT LIGHT, IMO 9194127,
# under EO 13224 (2001). The real AMSA recordings of 2012 hear these hulls as ANKERGRACHT and
# MARAN CASTOR. A sighting from before the designation is the hull's history: listed_vessel
# says "after_sighting" (ranked with context) and its name is no false identity; a sighting
# the list cannot place says "unknown" and accuses nobody either; the same hull heard under
# another name after the edition is a designated vessel with a false name (listed_identity).
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v jq >/dev/null || { echo "SKIP: jq absent"; exit 77; }
SDN=$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz
"$SW_BIN" lists import --db "$T/l.db" "$SDN" >/dev/null || fail "lists import"
H=MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass
day() { # file date: two ships heard for an hour in the Tasman Sea
    { echo "$H"
      for m in 0 10 20 30 40 50; do
          echo "244852000,$2T03:$m:00,-33.9,152.1,11,200,200,ANKERGRACHT,IMO9014872,PCFN,70,0,130,20,7,,A"
          echo "239808000,$2T03:$m:00,-34.5,152.9,12,30,30,MARAN CASTOR,IMO9194127,SVAX,80,0,274,48,15,,A"
      done; } >"$1"
}
run() { # name date
    day "$T/$1.csv" "$2"
    cp "$T/l.db" "$T/$1.db"
    "$SW_BIN" analyze -q --db "$T/$1.db" --events "$T/$1.jsonl" "$T/$1.csv" || fail "analyze $1"
}
desig() { jq -r --arg i "$2" 'select(.type == "listed_vessel" and .details.listed_imo == ($i|tonumber)) | .details.designation' "$T/$1.jsonl"; }
fraud() { jq -r 'select(.type == "identity_fraud" and .details.kind == "listed_identity") | .details.imo' "$T/$1.jsonl" | sort | tr '\n' ' '; }

run old 2012-01-31
[ "$(desig old 9014872)" = after_sighting ] || fail "2012 TAMBEY: '$(desig old 9014872)', want after_sighting"
[ "$(desig old 9194127)" = unknown ] || fail "2012 SAINT LIGHT: '$(desig old 9194127)', want unknown"
[ -z "$(fraud old)" ] || fail "2012: former names taken for false identities: $(fraud old)"
jq -e 'select(.type == "listed_vessel" and .details.listed_imo == 9014872) |
       .details.listed_after == "2021-04-15" and .details.listed_by == "2024-05-03"' \
    "$T/old.jsonl" >/dev/null || fail "2012 TAMBEY: the window is not 2021-04-15..2024-05-03"
echo "RESULT: 2012 sightings: TAMBEY designated after it (EO 14024 began 2021-04-15), SAINT LIGHT unknown; no listed_identity"

run new 2024-06-01
[ "$(desig new 9014872)" = before_sighting ] || fail "2024 TAMBEY: '$(desig new 9014872)'"
[ "$(desig new 9194127)" = before_sighting ] || fail "2024 SAINT LIGHT: '$(desig new 9194127)'"
[ "$(fraud new)" = "9014872 9194127 " ] || fail "2024: listed_identity for '$(fraud new)', want both"
echo "RESULT: 2024-06 sightings after the edition: both designated before them, both names false (listed_identity)"

exit 0
