#!/usr/bin/env bash
# Must-show 2a: a run killed with SIGKILL (several times, at arbitrary moments) and started
# again ends with exactly the database an uninterrupted run gives: the state tables (vessels,
# identity_history, track, aids) dumped sorted are identical, and so are the run's counters.
# Inputs: a synthetic NMEA recording (multi-sentence messages, two receivers) and the real
# MarineCadastre CSV when ../shared is present. SIGINT is tested too: it checkpoints and exits
# 130, and running again finishes the job.
set -u
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
GEN=$SW_BUILD/bench/bench_analyze
[ -x "$GEN" ] || fail "no $GEN"
"$GEN" --write "$T/gen.nmea" --messages 100000 --vessels 2000 --seed 5 || fail "generate"
# Inputs in time order (the 2022 CSV before the 2024 recording): an earlier input after a
# later one would only be counted late.
INPUTS=()
MC=$SW_SHARED/data/ais/real/marinecadastre-via-VesselSummaryAIS/AIS_2022_01_03_first99999.csv
if [ -f "$MC" ]; then INPUTS+=("$MC"); else echo "NOTE: MarineCadastre CSV absent: NMEA only"; fi
INPUTS+=("$T/gen.nmea")
ARGS=(-q --lateness 1200 --checkpoint 20000)
state() {
    sqlite3 "$1" "SELECT * FROM vessels ORDER BY mmsi; SELECT * FROM identity_history ORDER BY mmsi, seq;
                  SELECT * FROM track ORDER BY mmsi, t; SELECT * FROM aids ORDER BY mmsi;"
}
dump() {
    sqlite3 "$1" "SELECT * FROM vessels ORDER BY mmsi; SELECT * FROM identity_history ORDER BY mmsi, seq;
                  SELECT * FROM track ORDER BY mmsi, t; SELECT * FROM aids ORDER BY mmsi;
                  SELECT counters FROM ingest_runs WHERE status='done';"
}
t0=$(date +%s%N)
"$SW_BIN" analyze "${ARGS[@]}" --db "$T/full.db" "${INPUTS[@]}" || fail "uninterrupted run"
full_ms=$((($(date +%s%N) - t0) / 1000000))
dump "$T/full.db" >"$T/full.dump"

kills=0 resumed=0
# Up to 8 kills, each at a random moment between 10% and 50% of an uninterrupted run's
# duration after the (re)start; then the last run is left to finish.
for i in $(seq 1 9); do
    "$SW_BIN" analyze "${ARGS[@]}" --db "$T/k.db" "${INPUTS[@]}" &
    pid=$!
    if [ "$i" -eq 9 ]; then wait "$pid" || fail "the last resumed run failed"; break; fi
    ms=$((full_ms * (10 + RANDOM % 41) / 100))
    sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
    if kill -KILL "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        # Killed after its final commit (while closing): the run is complete; another run
        # would only record an empty one.
        [ "$(sqlite3 "$T/k.db" "SELECT COUNT(*) FROM ingest_runs WHERE status='done'" 2>/dev/null || echo 0)" -gt 0 ] && break
        kills=$((kills + 1))
        [ "$(sqlite3 "$T/k.db" "SELECT COUNT(*) FROM ingest_pending" 2>/dev/null || echo 0)" -gt 0 ] && resumed=$((resumed + 1))
    else
        wait "$pid" || fail "a resumed run failed"
        break
    fi
done
dump "$T/k.db" >"$T/k.dump"
echo "RESULT: killed $kills times ($resumed times with a checkpoint to resume from), then finished"
[ "$resumed" -gt 0 ] || { echo "SKIP: no kill landed after a checkpoint (machine too fast?)"; exit 77; }
[ "$(wc -l <"$T/full.dump")" -gt 1000 ] || fail "too little state to compare"
diff -q "$T/full.dump" "$T/k.dump" >/dev/null || { diff "$T/full.dump" "$T/k.dump" | head -8; fail "killed-and-resumed database differs"; }
echo "RESULT: killed-and-resumed database equals the uninterrupted one ($(wc -l <"$T/full.dump") rows)"

# SIGINT: checkpoint and exit 130; the same command finishes the job.
"$SW_BIN" analyze "${ARGS[@]}" --db "$T/i.db" "${INPUTS[@]}" 2>"$T/err" &
pid=$!
sleep 0.3
kill -INT "$pid" 2>/dev/null
wait "$pid"; rc=$?
if [ "$rc" -eq 130 ]; then
    grep -q "run the same command again to resume" "$T/err" || fail "no resume hint"
    "$SW_BIN" analyze "${ARGS[@]}" --db "$T/i.db" "${INPUTS[@]}" || fail "run after SIGINT"
else
    [ "$rc" -eq 0 ] || fail "SIGINT run exited $rc"
fi
dump "$T/i.db" >"$T/i.dump"
diff -q "$T/full.dump" "$T/i.dump" >/dev/null || fail "interrupted-and-resumed database differs"
# A finished input is not ingested twice.
"$SW_BIN" analyze --db "$T/i.db" "${INPUTS[@]}" 2>"$T/err2" || fail "rerun"
grep -q "already ingested" "$T/err2" || fail "no 'already ingested' note"
state "$T/i.db" >"$T/i2.state"
state "$T/full.db" | diff -q - "$T/i2.state" >/dev/null || fail "rerun changed the state"
echo "RESULT: SIGINT (exit $rc) then rerun gives the same database; finished inputs are skipped"
exit 0
