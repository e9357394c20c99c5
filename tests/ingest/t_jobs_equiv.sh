#!/usr/bin/env bash
# analyze --jobs 2 (the stages on a second thread, src/ingest/jobs.c) gives what --jobs 1
# gives: the same events file byte for byte and the same rows in the tables the detectors, the
# ledger and the vessel picture write (events, event_vessels, ledger_state, ledger_tiles,
# ledger_incidents, vessels, track, identity_history, aids, draught_history), and the same
# saved state (ingest_state_log, ingest_carry: the vessels' and the stages' saved bytes), on
#   - every real recording of ../shared (UN and OFAC lists imported, as
#     scripts/real-findings.sh does), the four satellite files also as one run;
#   - a three-day simulated scenario as one file, with a checkpoint every 3,000 lines (so
#     that the second thread is drained and the stages committed hundreds of times mid-run);
#   - the same scenario as three daily files analyzed one after another into one database
#     (state carried between runs);
#   - the scenario's file with --jobs 2 killed (SIGKILL) at random moments and resumed, each
#     time with --jobs 2: its events file equals the undisturbed --jobs 1 run's;
#   - three daily CSV files in which a vessel falls silent on day 1 and comes back on day 3:
#     its gap is published ongoing at the end of day 2's run, a run that has no record of it,
#     so the stage marks the vessel's saved state changed on the stages' copy of the vessel
#     table (sw_vessels_touch); the mark must reach the pipeline's table, or the vessel's
#     saved state in ingest_state_log differs (the test fails without it).
# Then --jobs 2 refuses nats:// inputs.
set -u
T=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
. "$SW_ROOT/tests/lib/kill_resume.sh"
SDN=$SW_ROOT/data/examples/sdn_2024-05-03.csv.gz
cd "$T"

dump() { # DB: the compared tables, rows sorted, blobs in hex
    local t
    for t in events event_vessels ledger_state ledger_tiles ledger_incidents vessels track \
        identity_history aids draught_history ingest_state_log ingest_carry; do
        echo "== $t"
        sqlite3 -cmd ".mode quote" "$1" "SELECT * FROM $t" | LC_ALL=C sort
    done
}
fresh() { # DB LISTS...: a database with the lists imported
    local db=$1
    shift
    rm -f "$db" "$db"-*
    "$SW_BIN" lists import --db "$db" "$@" >/dev/null 2>&1 || fail "lists import $db"
}
# same NAME: NAME.1 (--jobs 1) and NAME.2 (--jobs 2) gave the same events file and tables
same() {
    local n=$1
    cmp -s "$n.1.ev" "$n.2.ev" || { diff "$n.1.ev" "$n.2.ev" | head -5; fail "$n: events files differ"; }
    dump "$n.1.db" >"$n.1.dump"
    dump "$n.2.db" >"$n.2.dump"
    cmp -s "$n.1.dump" "$n.2.dump" || { diff "$n.1.dump" "$n.2.dump" | head -5; fail "$n: tables differ"; }
    echo "RESULT $n: --jobs 1 and 2: $(wc -l <"$n.1.ev") events, $(sqlite3 "$n.1.db" 'SELECT count(*) FROM vessels') vessels, $(sqlite3 "$n.1.db" 'SELECT count(*) FROM track') track points, the same events file and tables ($(wc -l <"$n.1.dump") rows)"
}
# both NAME "LISTS" ARGS... INPUTS...: one run of each --jobs into NAME.J.db
both() {
    local n=$1 lists=$2 j
    shift 2
    for j in 1 2; do
        # shellcheck disable=SC2086
        fresh "$n.$j.db" $lists
        "$SW_BIN" analyze -q --jobs "$j" --db "$n.$j.db" --events "$n.$j.ev" "$@" ||
            fail "analyze --jobs $j $n"
    done
    same "$n"
}

# ---- the simulated scenario: one file with many checkpoints, and daily files one by one
"$SW_BIN" simulate --seed 5 --hours 72 --split-hours 24 --out day.nmea --truth t.json \
    2>/dev/null || fail "simulate"
ls day.nmea.0* >/dev/null 2>&1 || fail "no daily files"
both sim-ckpt "$SDN" --checkpoint 3000 day.nmea
for j in 1 2; do
    fresh "sim-days.$j.db" "$SDN"
    : >"sim-days.$j.ev"
    for f in day.nmea.0*; do
        "$SW_BIN" analyze -q --jobs "$j" --db "sim-days.$j.db" --events ev.tmp "$f" ||
            fail "analyze --jobs $j $f"
        cat ev.tmp >>"sim-days.$j.ev"
    done
done
same sim-days
[ "$(wc -l <sim-ckpt.1.ev)" -gt 50 ] || fail "the scenario gave only $(wc -l <sim-ckpt.1.ev) events"

# ---- a gap published at the end of a run without a record of its vessel (the touch)
gapday() { # DAY(0-2): a MarineCadastre day of five vessels 412000001-5 at sea off California;
    # 412000001 is heard on day 0 until 20:00 and on day 2 from 06:00, the others all along
    echo "MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass"
    awk -v day="$1" 'BEGIN {
        split("35.00 35.05 34.95 35.10 34.90", la, " "); split("-124.00 -124.05 -123.95 -123.90 -124.10", lo, " ")
        for (m = 0; m < 1440; m += 10)
            for (k = 1; k <= 5; k++) {
                if (k == 1 && !((day == 0 && m <= 1200) || (day == 2 && m >= 360))) continue
                printf "%d,2024-03-%02dT%02d:%02d:00,%.5f,%.5f,5.0,90.0,90,SHIP %d,,,70,0,100,20,5,,A\n",
                    412000000 + k, day + 4, int(m / 60), m % 60, la[k], lo[k] + 0.0005 * (m % 60) / 10, k
            }
    }'
}
for d in 0 1 2; do gapday "$d" >"gap.csv.$d"; done
for j in 1 2; do
    fresh "gap.$j.db" "$SDN"
    : >"gap.$j.ev"
    for d in 0 1 2; do
        "$SW_BIN" analyze -q --jobs "$j" --db "gap.$j.db" --events ev.tmp "gap.csv.$d" ||
            fail "analyze --jobs $j gap.csv.$d"
        cat ev.tmp >>"gap.$j.ev"
    done
done
grep -q '"ongoing":true' gap.1.ev || fail "the silent vessel's gap was not published ongoing"
same gap

# ---- killed and resumed (--jobs 2 throughout), against the undisturbed --jobs 1 run
fresh kill.db "$SDN"
kill_resume 6 -q --jobs 2 --checkpoint 5000 --db kill.db --events kill.ev day.nmea
kills=$KILLS
[ "$kills" -ge 3 ] || fail "only $kills kills landed before the run ended"
cmp -s sim-ckpt.1.ev kill.ev || { diff sim-ckpt.1.ev kill.ev | head -5; fail "killed and resumed --jobs 2: the events file differs from --jobs 1's"; }
echo "RESULT --jobs 2 killed $kills times and resumed: the events file equals --jobs 1's undisturbed run ($(wc -l <kill.ev) events)"

# ---- refused where it does not apply
if "$SW_BIN" analyze -q --jobs 2 --db n.db nats://127.0.0.1:1 2>err.txt; then
    fail "--jobs 2 took a nats:// input"
fi
grep -q "does not take nats://" err.txt || { cat err.txt; fail "no clear refusal of nats:// with --jobs 2"; }

# ---- the real recordings
R=$SW_SHARED/data/ais/real
UN=$SW_SHARED/data/sanctions/un/un_sc_consolidated_2026-02-27.xml
OFAC=$SW_SHARED/data/sanctions/ofac/sdn_2024-05-03.csv
if [ ! -d "$R" ] || [ ! -f "$UN" ] || [ ! -f "$OFAC" ]; then
    echo "SKIP: the real recordings and lists are absent ($SW_SHARED); simulated parts passed"
    exit 77
fi
n=0
for f in "$R"/amsa-risky/*.txt "$R"/dma-aislib/stream_example.txt \
    "$R"/marinecadastre-via-VesselSummaryAIS/*.csv; do
    [ -f "$f" ] || continue
    b=$(basename "$f")
    both "real-${b%.*}" "$UN $OFAC" --checkpoint 2000 "$f"
    n=$((n + 1))
done
[ "$n" -ge 3 ] || fail "only $n real recordings found under $R"
sat=$(ls "$R"/amsa-risky/exact-earth*.txt 2>/dev/null)
if [ -n "$sat" ]; then
    # shellcheck disable=SC2086
    both real-satellite-together "$UN $OFAC" --lateness 3600 $sat
fi
echo "RESULT $n real recordings: --jobs 2 equals --jobs 1"
