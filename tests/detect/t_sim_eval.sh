#!/usr/bin/env bash
# Must-show 1: over several simulator seeds, analyze with every detector (OFAC SDN list loaded
# for listed_vessel), score against the simulator's truth with `sanctwatch eval`, and require
# precision and recall >= 0.95 for every event type (summed over the seeds) and no event on a
# hard negative.
#
# One deliberate difference from the simulator is set apart, not hidden: its "fishing"
# witness vessels stop transmitting at sea in the middle of the run (their scenario ends) while
# the area stays covered. By DESIGN.md's rule that is an AIS gap still open when the input
# ends ("ongoing": true); the simulator does not label it. Those events are removed before
# scoring only when they are ongoing ais_gap events of vessels whose truth role is "fishing",
# counted in a NOTE, and any other ongoing gap stays in the score.
set -u
[ -x "$SW_BIN" ] || { echo "FAIL: no binary $SW_BIN"; exit 1; }
SDN=$SW_SHARED/data/sanctions/ofac/sdn_2024-05-03.csv
[ -f "$SDN" ] || { echo "SKIP: shared OFAC SDN list absent"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq absent"; exit 77; }
T=$(mktemp -d -p "$( [ -d /dev/shm ] && echo /dev/shm || echo /tmp)"); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
SEEDS=${SW_DETECT_SEEDS:-"1 2 3 4"}
bad=0

"$SW_BIN" lists import --db "$T/lists.db" "$SDN" >/dev/null || fail "lists import"
all="$T/all.json"; echo '[]' >"$all"
for s in $SEEDS; do
    "$SW_BIN" simulate --seed "$s" --out "$T/s.nmea" --truth "$T/s.json" 2>/dev/null ||
        fail "simulate seed $s"
    cp "$T/lists.db" "$T/a.db"
    "$SW_BIN" analyze -q --db "$T/a.db" --events "$T/ev.jsonl" "$T/s.nmea" || fail "analyze seed $s"
    jq -c --slurpfile tr "$T/s.json" '
        ($tr[0].vessels | map({key: (.mmsi|tostring), value: .role}) | from_entries) as $role
        | select((.type == "ais_gap" and .ongoing == true and
                  ([.vessels[].mmsi | tostring | $role[.]] | all(. == "fishing"))) | not)' \
        "$T/ev.jsonl" >"$T/scored.jsonl" || fail "jq filter"
    dropped=$(( $(wc -l <"$T/ev.jsonl") - $(wc -l <"$T/scored.jsonl") ))
    "$SW_BIN" eval --json "$T/s.json" "$T/scored.jsonl" >"$T/r.json" || fail "eval seed $s"
    neg=$(jq '.on_negatives | length' "$T/r.json")
    echo "NOTE: seed $s: $(wc -l <"$T/ev.jsonl") events, $dropped open gaps of vanished fishing witnesses set apart, $neg on hard negatives"
    # every seed is scored before the verdict, so that the table below is always printed
    if [ "$neg" -ne 0 ]; then
        jq -r '.on_negatives | group_by(.kind + " " + .type)[] | "NOTE:   \(length) \(.[0].type) on \(.[0].kind)"' "$T/r.json"
        echo "FAIL: seed $s: events on hard negatives"; bad=1
    fi
    jq -s '.[0] + [.[1]]' "$all" "$T/r.json" >"$T/all2.json" && mv "$T/all2.json" "$all"
done

# Beside the floors: per kind, the reception labels of matched gaps, the zone transits.
jq -r '[.[].kinds | to_entries[]] | group_by(.key)[] |
       "NOTE: kind \(.[0].key) truth=\(map(.value.truth) | add) tp=\(map(.value.tp) | add) fp=\(map(.value.fp) | add) fn=\(map(.value.fn) | add)"' "$all"
jq -r '"NOTE: ais_gap reception of matched gaps: \(map(.reception.agree) | add) agree, \(map(.reception.disagree) | add) disagree, \(map(.reception.unlabelled) | add) unlabelled"' "$all"
jq -r '"NOTE: zone transits (vessel, zone, day): truth \(map(.zone_transits.truth) | add), events \(map(.zone_transits.events) | add), on both sides \(map(.zone_transits.matched) | add), equal entries \(map(.zone_transits.equal) | add)"' "$all"

# Sum per type over the seeds, then precision and recall.
jq -r '[.[].types | to_entries[]] | group_by(.key)[] |
       {k: .[0].key, tp: (map(.value.tp) | add), fp: (map(.value.fp) | add),
        fn: (map(.value.fn) | add)} |
       "\(.k) \(.tp) \(.fp) \(.fn)"' "$all" >"$T/sum.txt"
for ty in encounter dark_rendezvous loitering ais_gap port_call zone_entry position_spoof \
          identity_change identity_fraud listed_vessel; do
    read -r _ tp fp fn < <(grep "^$ty " "$T/sum.txt") || { echo "FAIL: no result for $ty"; bad=1; continue; }
    p=$(awk -v a="$tp" -v b="$fp" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')
    r=$(awk -v a="$tp" -v b="$fn" 'BEGIN { printf "%.3f", (a + b) ? a / (a + b) : 0 }')
    echo "RESULT: $ty tp=$tp fp=$fp fn=$fn precision=$p recall=$r"
    awk -v p="$p" -v r="$r" 'BEGIN { exit !(p >= 0.95 && r >= 0.95) }' || { echo "FAIL: $ty below 0.95"; bad=1; }
done
[ "$bad" -eq 0 ] || exit 1
echo "ok: seeds $SEEDS"
