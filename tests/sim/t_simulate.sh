#!/usr/bin/env bash
# sanctwatch simulate and eval from the command line: the same seed gives the same bytes,
# the truth scored against itself gives precision and recall 1 for every type, a detector
# that reports only what is on the hard negatives gets them all flagged, and bad options are
# refused with exit 2.
set -u
BIN=${SW_BIN:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$BIN" simulate --seed 5 --hours 24 --vessels 10 --out "$T/a.nmea" --truth "$T/a.json" 2>"$T/err" || fail "simulate: $(cat "$T/err")"
grep -q '^simulate: seed 5,' "$T/err" || fail "no summary line"
"$BIN" simulate --seed 5 --hours 24 --vessels 10 --out "$T/b.nmea" --truth "$T/b.json" 2>/dev/null || fail "simulate again"
cmp -s "$T/a.nmea" "$T/b.nmea" || fail "same seed, different NMEA"
cmp -s "$T/a.json" "$T/b.json" || fail "same seed, different truth"
"$BIN" simulate --seed 6 --hours 24 --vessels 10 --out "$T/c.nmea" --truth "$T/c.json" 2>/dev/null || fail "seed 6"
cmp -s "$T/a.nmea" "$T/c.nmea" && fail "different seeds, same NMEA"

# tag blocks with several sources, multi-sentence groups
grep -q '^\\s:r[A-Za-z]*,c:[0-9]*\*[0-9A-F][0-9A-F]\\!AIVDM,1,1,,[AB],' "$T/a.nmea" || fail "no single-sentence tag block line"
grep -q '^\\g:1-2-[0-9]*,s:' "$T/a.nmea" || fail "no g: group"
[ "$(grep -o '^\\[^*]*s:[A-Za-z0-9]*' "$T/a.nmea" | sed 's/.*s://' | sort -u | wc -l)" -ge 5 ] || fail "fewer than 5 receivers"

# the decoder reads every line
if "$BIN" decode --help >/dev/null 2>&1; then
    "$BIN" decode "$T/a.nmea" >"$T/dec.json" 2>"$T/dec.err" || fail "decode failed"
    grep -q 'checksum=0 malformed=0' "$T/dec.err" || fail "decoder rejected lines: $(tail -2 "$T/dec.err")"
fi

# truth as events -> perfect score; events on a negative are reported
python3 - "$T/a.json" "$T/ev.jsonl" "$T/neg.jsonl" <<'PY' || fail "python"
import json, sys
t = json.load(open(sys.argv[1]))
with open(sys.argv[2], "w") as f:
    for e in t["events"]:
        f.write(json.dumps({"type": e["type"], "start": e["start"], "end": e["end"],
                            "vessels": [{"mmsi": m} for m in e["vessels"]]}) + "\n")
with open(sys.argv[3], "w") as f:
    for n in t["negatives"]:
        f.write(json.dumps({"type": "encounter" if len(n["vessels"]) > 1 else "loitering",
                            "start": n["start"], "end": n["end"],
                            "vessels": [{"mmsi": m} for m in n["vessels"]]}) + "\n")
PY
"$BIN" eval --json "$T/a.json" "$T/ev.jsonl" >"$T/score.json" || fail "eval exit"
python3 - "$T/score.json" <<'PY' || fail "imperfect self-score: $(cat "$T/score.json")"
import json, sys
s = json.load(open(sys.argv[1]))
types = s["types"]
assert len(types) == 10, types.keys()
for k, r in types.items():
    assert r["truth"] > 0, k
    assert r["precision"] == 1.0 and r["recall"] == 1.0, (k, r)
assert s["on_negatives"] == []
print("RESULT self-score: 10 types, precision 1 and recall 1 each")
PY
"$BIN" eval "$T/a.json" "$T/ev.jsonl" | grep -q '^encounter ' || fail "no table"
"$BIN" eval --json "$T/a.json" "$T/neg.jsonl" >"$T/negscore.json" || fail "eval negatives"
python3 - "$T/a.json" "$T/negscore.json" <<'PY' || fail "negatives not all flagged"
import json, sys
t = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
assert len(s["on_negatives"]) == len(t["negatives"]), (len(s["on_negatives"]), len(t["negatives"]))
print("RESULT hard negatives: %d planted, %d flagged events" % (len(t["negatives"]), len(s["on_negatives"])))
PY

# errors
"$BIN" simulate --seed x --out "$T/x" --truth "$T/y" 2>/dev/null; [ $? -eq 2 ] || fail "bad seed not refused"
"$BIN" simulate --hours 5 --out "$T/x" --truth "$T/y" 2>/dev/null; [ $? -eq 2 ] || fail "short run not refused"
"$BIN" eval "$T/nope.json" "$T/ev.jsonl" 2>"$T/err"; [ $? -eq 1 ] || fail "missing truth not an error"
grep -q "cannot read '$T/nope.json': No such file or directory" "$T/err" || fail "message: $(cat "$T/err")"
echo '{"x":1}' >"$T/bad.json"
"$BIN" eval "$T/bad.json" "$T/ev.jsonl" 2>"$T/err"; [ $? -eq 1 ] || fail "bad truth accepted"
SANCTWATCH_DATA=/nonexistent "$BIN" simulate --data "$T" --out "$T/x" --truth "$T/y" 2>"$T/err"; [ $? -eq 1 ] || fail "missing data accepted"
# regression: --out and --truth naming one file (or both stdout) wrote the truth over the
# traffic, or mixed the two, and exited 0
"$BIN" simulate --out - --truth - >/dev/null 2>&1; [ $? -eq 2 ] || fail "both on stdout accepted"
"$BIN" simulate --out "$T/same" --truth "$T/same" 2>/dev/null; [ $? -eq 2 ] || fail "one file accepted"
"$BIN" simulate --out "$T/same" --truth "$T/./same" 2>"$T/err"; [ $? -eq 1 ] || fail "one file by two names accepted"
grep -q "are the same file" "$T/err" || fail "message: $(cat "$T/err")"
"$BIN" simulate --hours 24 --vessels 0 --out "$T/x" --truth - 2>/dev/null |
    python3 -c 'import json, sys; assert json.load(sys.stdin)["events"]' || fail "--truth - on stdout"
echo "ok"
